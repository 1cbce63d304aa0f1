// slm-run [-m FILE] -p PROMPT ...: generates text and streams it to stdout; load time
// and prompt / generation speed go to stderr. --json prints one JSON object instead.
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "default_model.h"
#include "read_text.h"
#include "slm/error.h"
#include "slm/slm.hpp"

namespace slm::tools {

namespace {

double per_second(int n, double ms) { return ms > 0 ? 1000.0 * n / ms : 0.0; }

}  // namespace

void add_generation_options(CLI::App& app, GenerationOptions& opt) {
  app.add_option("-m,--model", opt.model, "GGUF model file (default: the installed Gemma 3 270M)");
  app.add_option("-p,--prompt", opt.prompt, "Prompt text");
  app.add_option("-f,--file", opt.prompt_file, "Read the prompt from a file");
  app.add_option("-n,--n-predict", opt.max_tokens,
                 "Tokens to generate (-1: until the end; default 256, 512 with a constraint, which then always "
                 "completes within the budget)");
  app.add_option("--temp", opt.sampling.temperature, "Temperature (0: greedy)")->capture_default_str();
  app.add_option("--top-k", opt.sampling.top_k, "Top-k (0: off)")->capture_default_str();
  app.add_option("--top-p", opt.sampling.top_p, "Top-p (1: off)")->capture_default_str();
  app.add_option("--min-p", opt.sampling.min_p, "Min-p (0: off)")->capture_default_str();
  app.add_option("--repeat-penalty", opt.sampling.repeat_penalty, "Repetition penalty (1: off)")->capture_default_str();
  app.add_option("--repeat-last-n", opt.sampling.penalty_last_n, "Tokens the penalties look back")->capture_default_str();
  app.add_option("--presence-penalty", opt.sampling.presence_penalty, "Presence penalty")->capture_default_str();
  app.add_option("--frequency-penalty", opt.sampling.frequency_penalty, "Frequency penalty")->capture_default_str();
  app.add_option("-s,--seed", opt.seed, "Random seed (-1: random)")->capture_default_str();
  app.add_option("-t,--threads", opt.threads, "Threads (0: all cores)")->capture_default_str();
  app.add_option("-c,--ctx-size", opt.n_ctx, "Context size in tokens (0: the model's, at most 4096)")->capture_default_str();
  app.add_option("--stop", opt.stop, "Stop before this text (repeatable)");
  app.add_flag("--ignore-eos", opt.ignore_eos, "Do not stop at end-of-generation tokens");
  app.add_flag("--json", opt.json, "Print one JSON object {tokens, text, timings} instead of streaming");
  app.add_flag("--chat", opt.chat, "Interactive chat on stdin using the model's chat template (-p: system message)");
  app.add_option("--chat-template", opt.chat_template, "Jinja chat template file for --chat (overrides the model's)");
  add_constraint_options(app, opt.constraint);
}

slm_generate_params generate_params(const GenerationOptions& opt, std::vector<const char*>& stop_ptrs) {
  slm_generate_params p = slm_generate_default_params();
  p.sampling = opt.sampling;
  p.sampling.random_seed = opt.seed < 0;
  p.sampling.seed = opt.seed < 0 ? 0 : static_cast<uint64_t>(opt.seed);
  p.max_tokens = opt.max_tokens.value_or(has_constraint(opt.constraint) ? 512 : 256);
  p.ignore_eos = opt.ignore_eos;
  stop_ptrs.clear();
  for (const std::string& s : opt.stop) stop_ptrs.push_back(s.c_str());
  p.stop = stop_ptrs.data();
  p.n_stop = stop_ptrs.size();
  return p;
}

slm_session_params session_params(const GenerationOptions& opt, const api::Model& model) {
  slm_session_params p = slm_session_default_params();
  p.n_ctx = opt.n_ctx > 0 ? opt.n_ctx : std::min(model.n_ctx_train(), 4096);
  p.n_threads = opt.threads;
  return p;
}

void print_speed(const slm_generate_result& r, double load_ms, double repack_ms) {
  const std::string forced = r.n_forced > 0 ? " (" + std::to_string(r.n_forced) + " forced by the constraint)" : "";
  std::fprintf(stderr, "\nload %.1f ms (repack %.1f ms) | prompt %d tokens (%d reused) %.1f tokens/s | generation %d tokens%s %.1f tokens/s\n",
               load_ms, repack_ms, r.n_prompt, r.n_reused, per_second(r.n_prompt - r.n_reused, r.prompt_ms), r.n_generated,
               forced.c_str(), per_second(r.n_generated, r.generate_ms));
}

void check_constraint_met(const GenerationOptions& opt, const slm_generate_result& r) {
  if (has_constraint(opt.constraint) && r.stop_reason != SLM_STOP_END_OF_GENERATION) {
    throw Error("the output is incomplete: generation stopped (token budget, context or stop string) before the "
                "constraint was satisfied");
  }
}

void run_generate(const GenerationOptions& opt) {
  if (opt.prompt.empty() && opt.prompt_file.empty()) throw Error("no prompt: use -p TEXT, -f FILE or --chat");
  const std::string prompt = opt.prompt_file.empty() ? opt.prompt : read_text_file(opt.prompt_file);
  const auto start = std::chrono::steady_clock::now();
  const api::Model model(opt.model.empty() ? default_model_path() : opt.model);
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  api::Session session(model, session_params(opt, model));
  const std::vector<slm_token> tokens = model.tokenize(prompt, true, true);
  std::vector<const char*> stop_ptrs;
  slm_generate_params params = generate_params(opt, stop_ptrs);
  const std::optional<api::Constraint> constraint = make_constraint(opt.constraint, model);
  if (constraint) params.constraint = constraint->get();
  if (opt.json) {
    const api::Generation g = session.generate(tokens, params);
    const slm_generate_result& r = g.result;
    const nlohmann::json out = {
        {"tokens", g.tokens},
        {"text", g.text},
        {"timings",
         {{"load_ms", load_ms}, {"repack_ms", model.repack_ms()}, {"n_prompt", r.n_prompt}, {"prompt_ms", r.prompt_ms},
          {"prompt_tokens_per_s", per_second(r.n_prompt - r.n_reused, r.prompt_ms)}, {"n_generated", r.n_generated},
          {"n_forced", r.n_forced},
          {"generate_ms", r.generate_ms}, {"generate_tokens_per_s", per_second(r.n_generated, r.generate_ms)}}},
        {"seed", r.seed}};
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    check_constraint_met(opt, r);
    return;
  }
  const api::Generation g = session.generate(tokens, params, [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  std::printf("\n");
  print_speed(g.result, load_ms, model.repack_ms());
  check_constraint_met(opt, g.result);
}

}  // namespace slm::tools
