// slm-run: the command-line front end. Without a subcommand it generates text from a
// prompt. Every error ends as one line on stderr and a non-zero exit status.
#include <cstdio>
#include <exception>

#include "commands.h"
#include "slm/error.h"

int main(int argc, char** argv) {
  CLI::App app{"slm-run: run small language models from GGUF files"};
  app.require_subcommand(0, 1);
  slm::tools::GenerationOptions generation;
  slm::tools::add_generation_options(app, generation);
  slm::tools::register_info(app);
  slm::tools::register_logits(app);
  slm::tools::register_tokenize(app);
  slm::tools::register_detokenize(app);
  slm::tools::register_template(app);
  slm::tools::register_perplexity(app);
  slm::tools::register_grammar(app);
  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) {
      if (generation.chat) {
        slm::tools::run_chat(generation);
      } else {
        slm::tools::run_generate(generation);
      }
    }
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
