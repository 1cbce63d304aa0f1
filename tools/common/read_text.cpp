#include "read_text.h"

#include <fstream>
#include <sstream>

#include "slm/error.h"

namespace slm::tools {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw Error(path + ": cannot read");
  return s.str();
}

}  // namespace slm::tools
