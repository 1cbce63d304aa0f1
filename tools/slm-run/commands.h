// Each slm-run subcommand registers itself on the CLI11 app from its own file; the
// top-level command (generation) takes the options below.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "constraint_options.h"
#include "slm/slm.hpp"

namespace slm::tools {

struct GenerationOptions {
  std::string model;
  std::string prompt;
  std::string prompt_file;
  std::optional<int> max_tokens;  // default: 256, or until the end with a constraint
  slm_sampling_params sampling = slm_sampling_default_params();
  long long seed = -1;
  int threads = 0;
  int n_ctx = 0;
  std::vector<std::string> stop;
  bool ignore_eos = false;
  bool json = false;
  bool chat = false;
  std::string chat_template;  // --chat-template FILE
  ConstraintOptions constraint;
};

void add_generation_options(CLI::App& app, GenerationOptions& opt);
// slm_generate_params for the options; stop_ptrs keeps the stop strings' pointers.
slm_generate_params generate_params(const GenerationOptions& opt, std::vector<const char*>& stop_ptrs);
slm_session_params session_params(const GenerationOptions& opt, const api::Model& model);
// load_ms includes repack_ms, the part spent repacking weights for the kernels.
void print_speed(const slm_generate_result& result, double load_ms, double repack_ms);
// Throws when a constrained generation ended before its output was complete.
void check_constraint_met(const GenerationOptions& opt, const slm_generate_result& result);
void run_generate(const GenerationOptions& opt);
void run_chat(const GenerationOptions& opt);

void register_info(CLI::App& app);
void register_logits(CLI::App& app);
void register_tokenize(CLI::App& app);
void register_detokenize(CLI::App& app);
void register_template(CLI::App& app);
void register_perplexity(CLI::App& app);
void register_grammar(CLI::App& app);

}  // namespace slm::tools
