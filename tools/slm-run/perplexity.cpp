// slm-run perplexity -m FILE -f TEXT [-c CTX]: perplexity over a text, as
// llama-perplexity computes it. The tokenized text is cut into chunks of CTX tokens,
// each starting with BOS (when the vocabulary adds one) in a fresh context; only the
// second half of each chunk is scored, so every scored token sees at least CTX/2
// tokens of context.
#include <cmath>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "default_model.h"
#include "read_text.h"
#include "slm/error.h"

namespace slm::tools {

namespace {

struct PerplexityOptions {
  std::string model;
  std::string text_file;
  int n_ctx = 512;
  int threads = 0;
};

// -log p(target) from one row of logits, in double.
double negative_log_likelihood(const float* logits, int n_vocab, int target) {
  double max = logits[0];
  for (int i = 1; i < n_vocab; ++i) max = std::max(max, static_cast<double>(logits[i]));
  double sum = 0.0;
  for (int i = 0; i < n_vocab; ++i) sum += std::exp(logits[i] - max);
  return std::log(sum) + max - logits[target];
}

void run_perplexity(const PerplexityOptions& opt) {
  const std::string text = read_text_file(opt.text_file);
  const api::Model model(opt.model.empty() ? default_model_path() : opt.model);
  if (opt.n_ctx < 8) throw Error("-c: the context must hold at least 8 tokens");
  const std::vector<slm_token> tokens = model.tokenize(text, true, false);
  const size_t n_ctx = static_cast<size_t>(opt.n_ctx);
  const size_t n_chunks = tokens.size() / n_ctx;
  if (n_chunks == 0) {
    throw Error("the text has " + std::to_string(tokens.size()) + " tokens, fewer than one chunk of " +
                std::to_string(n_ctx) + " (use a smaller -c)");
  }
  const std::vector<slm_token> with_bos = model.tokenize("", true, false);  // [BOS] or []
  const int n_vocab = model.n_vocab();
  const size_t first = n_ctx / 2;
  double nll = 0.0, nll2 = 0.0;
  size_t count = 0;
  std::fprintf(stderr, "%zu tokens, %zu chunks of %zu\n", tokens.size(), n_chunks, n_ctx);
  for (size_t c = 0; c < n_chunks; ++c) {
    std::vector<slm_token> chunk(tokens.begin() + static_cast<std::ptrdiff_t>(c * n_ctx),
                                 tokens.begin() + static_cast<std::ptrdiff_t>((c + 1) * n_ctx));
    if (!with_bos.empty()) chunk[0] = with_bos[0];
    api::Session session(model, slm_session_params{opt.n_ctx, opt.threads});
    const std::vector<float> logits = session.eval(chunk, true);
    for (size_t i = first; i + 1 < n_ctx; ++i) {
      const double v = negative_log_likelihood(logits.data() + i * n_vocab, n_vocab, chunk[i + 1]);
      nll += v;
      nll2 += v * v;
      ++count;
    }
    std::printf("[%zu]%.4f ", c + 1, std::exp(nll / static_cast<double>(count)));
    std::fflush(stdout);
  }
  const double mean = nll / static_cast<double>(count);
  const double var = nll2 / static_cast<double>(count) - mean * mean;
  const double ppl = std::exp(mean);
  // Error of exp(mean) from the standard error of the mean NLL (first-order).
  const double err = ppl * std::sqrt(std::max(0.0, var) / static_cast<double>(count - 1));
  std::printf("\nFinal estimate: PPL = %.4f +/- %.5f\n", ppl, err);
}

}  // namespace

void register_perplexity(CLI::App& app) {
  auto opt = std::make_shared<PerplexityOptions>();
  CLI::App* cmd = app.add_subcommand("perplexity", "Perplexity of a model over a text file (like llama-perplexity)");
  cmd->add_option("-m,--model", opt->model, "GGUF model file (default: the installed Gemma 3 270M)");
  cmd->add_option("-f,--file", opt->text_file, "Text file")->required();
  cmd->add_option("-c,--ctx-size", opt->n_ctx, "Tokens per chunk")->capture_default_str();
  cmd->add_option("-t,--threads", opt->threads, "Threads (0: all cores)")->capture_default_str();
  cmd->callback([opt] { run_perplexity(*opt); });
}

}  // namespace slm::tools
