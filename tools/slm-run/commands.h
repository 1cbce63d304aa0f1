// Each slm-run subcommand registers itself on the CLI11 app from its own file.
#pragma once

#include <CLI/CLI.hpp>

namespace slm::tools {

void register_info(CLI::App& app);

}  // namespace slm::tools
