// Each slm-bench measurement registers itself as a subcommand from its own file.
#pragma once

#include <CLI/CLI.hpp>

namespace slm::bench {

void register_gemm(CLI::App& app);
void register_matvec(CLI::App& app);
void register_tokenize(CLI::App& app);

}  // namespace slm::bench
