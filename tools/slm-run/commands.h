// Each slm-run subcommand registers itself on the CLI11 app from its own file; the
// top-level command (generation) takes the options below.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "slm/slm.hpp"

namespace slm::tools {

struct GenerationOptions {
  std::string model;
  std::string prompt;
  std::string prompt_file;
  int max_tokens = 256;
  slm_sampling_params sampling = slm_sampling_default_params();
  long long seed = -1;
  int threads = 0;
  int n_ctx = 0;
  std::vector<std::string> stop;
  bool ignore_eos = false;
  bool json = false;
  bool chat = false;
  std::string chat_template;  // --chat-template FILE
};

void add_generation_options(CLI::App& app, GenerationOptions& opt);
// slm_generate_params for the options; stop_ptrs keeps the stop strings' pointers.
slm_generate_params generate_params(const GenerationOptions& opt, std::vector<const char*>& stop_ptrs);
slm_session_params session_params(const GenerationOptions& opt, const api::Model& model);
void print_speed(const slm_generate_result& result, double load_ms);
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
