// slm-bench: measures slm's speed. Results go to stdout; see bench/RESULTS.md for
// recorded figures and the commands behind them.
#include <cstdio>
#include <exception>

#include "bench_commands.h"
#include "slm/error.h"

int main(int argc, char** argv) {
  CLI::App app{"slm-bench: speed measurements"};
  app.require_subcommand(0, 1);
  slm::bench::register_model_bench(app);
  slm::bench::register_gemm(app);
  slm::bench::register_matvec(app);
  slm::bench::register_tokenize(app);
  slm::bench::register_synth(app);
  slm::bench::register_constraint_bench(app);
  slm::bench::register_grammar(app);
  slm::bench::register_limits(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const slm::Error& e) {
    std::fprintf(stderr, "slm-bench: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slm-bench: internal error: %s\n", e.what());
    return 3;
  }
  return 0;
}
