#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace slm::test {

namespace {

bool file_exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Environment override first (SLM_GEMMA_GGUF / SLM_SMOLLM2_GGUF), then the path found
// when CMake was configured.
std::string model_path(const char* env_name, const char* configured) {
  const char* env = std::getenv(env_name);
  std::string path = env != nullptr && *env != '\0' ? env : configured;
  if (file_exists(path)) return path;
  const char* require = std::getenv("SLM_REQUIRE_MODELS");
  const std::string why = std::string("model not found (set ") + env_name + "; got '" + path + "')";
  if (require != nullptr && std::string(require) == "1") {
    ADD_FAILURE() << why;
  } else {
    [&] { GTEST_SKIP() << why; }();  // marks the current test skipped; the caller returns
  }
  return "";
}

}  // namespace

std::string shared_dir() {
  const char* env = std::getenv("SLM_SHARED_DIR");
  return env != nullptr && *env != '\0' ? env : SLM_SHARED_DIR;
}

std::string shared_path(const std::string& relative) { return shared_dir() + "/" + relative; }

std::string gemma_path() { return model_path("SLM_GEMMA_GGUF", SLM_GEMMA_GGUF); }

std::string smollm2_path() { return model_path("SLM_SMOLLM2_GGUF", SLM_SMOLLM2_GGUF); }

std::string tools_dir() { return SLM_TOOLS_DIR; }

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CommandResult run_command(const std::string& shell_command) {
  char err_path[] = "/tmp/slm_test_stderr_XXXXXX";
  const int fd = ::mkstemp(err_path);
  if (fd < 0) {
    ADD_FAILURE() << "mkstemp failed";
    return {-1, "", ""};
  }
  ::close(fd);
  CommandResult result{-1, "", ""};
  FILE* pipe = ::popen((shell_command + " 2>" + err_path).c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed: " << shell_command;
    ::unlink(err_path);
    return result;
  }
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.out.append(buf, n);
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  result.err = read_file(err_path);
  ::unlink(err_path);
  return result;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace slm::test
