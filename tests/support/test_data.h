// Where tests find reference data and real models.
#pragma once

#include <string>

namespace slm::test {

// The ../shared folder (reference data; read-only).
std::string shared_dir();
// shared_dir() + "/" + relative.
std::string shared_path(const std::string& relative);
// Real models from PyPI. When the file is missing the calling test is skipped, or
// fails if SLM_REQUIRE_MODELS=1; use as: auto path = gemma_path(); if (path.empty()) return;
std::string gemma_path();
std::string smollm2_path();
// Folder holding built executables (slm-run), for tests that run the CLI.
std::string tools_dir();
// Runs `shell_command` with /bin/sh, capturing stdout and stderr.
struct CommandResult {
  int exit_code;  // the process's exit status; 128 + signal number when killed by one
  std::string out;
  std::string err;
};
CommandResult run_command(const std::string& shell_command);
// The shell-quoted form of `s`.
std::string shell_quote(const std::string& s);

// Whole file as bytes; fails the test (and returns empty) when unreadable.
std::string read_file(const std::string& path);

}  // namespace slm::test
