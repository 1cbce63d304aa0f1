// Runs a shell command and returns what it printed on stdout (slm-bench runs llama-bench
// and itself this way).
#pragma once

#include <string>

namespace slm::bench {

struct CommandOutput {
  std::string out;
  int status = -1;  // as pclose returns it; 0 for success
};

// Throws slm::Error if the command cannot be started.
CommandOutput run_command(const std::string& command);

// `s` in single quotes for a POSIX shell.
std::string shell_quote(const std::string& s);

}  // namespace slm::bench
