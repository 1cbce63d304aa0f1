// slm-run: the command-line front end. Every error ends as one line on stderr and a
// non-zero exit status.
#include <cstdio>
#include <exception>

#include "commands.h"
#include "slm/error.h"

int main(int argc, char** argv) {
  CLI::App app{"slm-run: run small language models from GGUF files"};
  app.require_subcommand(1, 1);
  slm::tools::register_info(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const slm::Error& e) {
    std::fprintf(stderr, "slm-run: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slm-run: internal error: %s\n", e.what());
    return 3;
  }
  return 0;
}
