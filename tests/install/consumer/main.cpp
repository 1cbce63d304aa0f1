// Opens a GGUF file through the installed library and prints its tensor count.
#include <cstdio>

#include "slm/error.h"
#include "slm/gguf.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    const slm::GgufFile f = slm::GgufFile::open(argv[1]);
    std::printf("%zu tensors\n", f.tensors().size());
  } catch (const slm::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
