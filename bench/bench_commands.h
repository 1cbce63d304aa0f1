// Each slm-bench measurement registers itself as a subcommand from its own file.
#pragma once

#include <CLI/CLI.hpp>

namespace slm::bench {

// The end-to-end measurement (slm-bench -m FILE -p ... -n ...) takes the top-level
// options and runs when no subcommand is given.
void register_model_bench(CLI::App& app);
void register_gemm(CLI::App& app);
void register_matvec(CLI::App& app);
void register_tokenize(CLI::App& app);
void register_synth(CLI::App& app);
void register_constraint_bench(CLI::App& app);
void register_grammar(CLI::App& app);
void register_limits(CLI::App& app);

}  // namespace slm::bench
