// slm-bench grammar -m FILE [--shared DIR] [--walks N] [--steps N] [--seed S]:
// constrained-decoding costs at the model's vocabulary.
//  * compile time of every ../shared/gbnf grammar (median of 20 compiles);
//  * fill_mask latency over random walks of json.gbnf (each step a random allowed
//    token, half the time one without letters so walks move through JSON structure),
//    split into masks that filled the shared cache (first use) and masks that did not,
//    once with a cold cache and once after MaskCache::precompute();
//  * a string-heavy state: 2,000 tokens inside one JSON string, first vs last 200 masks
//    (the cost must not grow with the length generated).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <time.h>
#include <tuple>
#include <vector>

#include "bench_commands.h"
#include "grammar/matcher.h"
#include "read_text.h"
#include "slm/error.h"
#include "slm/tokenizer.h"

namespace slm::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct GrammarOptions {
  std::string model;
  std::string shared_dir = "../shared";
  int walks = 30;
  int steps = 120;
  unsigned seed = 1;
};

double us_since(Clock::time_point t) { return std::chrono::duration<double, std::micro>(Clock::now() - t).count(); }

// CPU time of this thread: on a shared machine wall time also counts time slices given
// to other processes, which would show up as fake tail latency.
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Stats {
  std::vector<double> us;
  double at(double q) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    return us[std::min(us.size() - 1, static_cast<size_t>(q * static_cast<double>(us.size())))];
  }
  void print(const char* label) {
    if (us.empty()) return;
    double total = 0;
    for (const double u : us) total += u;
    std::printf("| %s | %zu | %.1f | %.1f | %.1f | %.1f | %.1f |\n", label, us.size(), at(0.5), at(0.99), at(0.999),
                at(1.0), total / 1000.0);
  }
};

bool has_no_letters(std::string_view bytes) {
  if (bytes.size() > 3 || bytes.find_first_not_of(" \t\n") == std::string_view::npos) return false;
  return std::none_of(bytes.begin(), bytes.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || ((u | 0x20u) >= 'a' && (u | 0x20u) <= 'z');
  });
}

void bench_compile(const GrammarOptions& opt) {
  std::printf("## GBNF compile time (median of 20)\n\n| grammar | bytes | states | compile µs |\n|---|---|---|---|\n");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(opt.shared_dir) / "gbnf")) {
    if (e.path().extension() == ".gbnf") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string text = tools::read_text_file(f.string());
    Stats s;
    size_t states = 0;
    for (int i = 0; i < 20; ++i) {
      const auto t = Clock::now();
      states = grammar::compile_gbnf(text)->node_count();
      s.us.push_back(us_since(t));
    }
    std::printf("| %s | %zu | %zu | %.1f |\n", f.filename().c_str(), text.size(), states, s.at(0.5));
  }
}

void bench_walks(const GrammarOptions& opt, const std::shared_ptr<const grammar::Vocabulary>& vocab,
                 bool precompute) {
  const auto g = grammar::compile_gbnf(tools::read_text_file(opt.shared_dir + "/gbnf/json.gbnf"));
  std::string how = "cache filled on first use";
  if (precompute) {
    const auto t = Clock::now();
    const size_t n = grammar::shared_mask_cache(*g, vocab)->precompute(*g, *vocab);
    char line[128];
    std::snprintf(line, sizeof line, "after precompute() of %zu one-frame keys in %.1f ms", n, us_since(t) / 1000.0);
    how = line;
  }
  std::mt19937 rng(opt.seed);
  Stats cold, warm, cold_cpu, warm_cpu;
  std::vector<uint64_t> bits((vocab->size() + 63) / 64);
  std::vector<TokenId> allowed, plain;
  size_t tokens = 0;
  for (int w = 0; w < opt.walks; ++w) {
    grammar::Matcher m(g, vocab);
    const auto cache = grammar::shared_mask_cache(*g, vocab);
    for (int s = 0; s < opt.steps && !m.is_terminated(); ++s) {
      const size_t entries = cache->entry_count();
      const double cpu = thread_cpu_us();
      const auto t = Clock::now();
      m.fill_mask(bits);
      const double wall_us = us_since(t);
      const bool filled = cache->entry_count() != entries;
      (filled ? cold : warm).us.push_back(wall_us);
      (filled ? cold_cpu : warm_cpu).us.push_back(thread_cpu_us() - cpu);
      allowed.clear();
      plain.clear();
      for (size_t i = 0; i < vocab->size(); ++i) {
        if (!((bits[i >> 6] >> (i & 63)) & 1u)) continue;
        const auto id = static_cast<TokenId>(i);
        if (vocab->is_eog(id)) continue;
        allowed.push_back(id);
        if (has_no_letters(vocab->bytes(id))) plain.push_back(id);
      }
      if (allowed.empty() || (m.is_complete() && rng() % 4 == 0)) break;
      const auto& from = !plain.empty() && rng() % 2 == 0 ? plain : allowed;
      if (!m.accept_token(from[rng() % from.size()])) throw Error("a masked-in token was rejected");
      ++tokens;
    }
  }
  std::printf("\n## fill_mask, json.gbnf random walks (%d walks, %zu tokens, vocabulary %zu), %s\n\n", opt.walks,
              tokens, vocab->size(), how.c_str());
  std::printf("| masks | n | p50 µs | p99 µs | p99.9 µs | max µs | total ms |\n|---|---|---|---|---|---|---|\n");
  for (auto [c, w, what] : {std::tuple{&cold, &warm, "wall"}, std::tuple{&cold_cpu, &warm_cpu, "thread CPU"}}) {
    Stats all;
    all.us = c->us;
    all.us.insert(all.us.end(), w->us.begin(), w->us.end());
    all.print((std::string("all, ") + what).c_str());
    w->print((std::string("cache hit, ") + what).c_str());
    c->print((std::string("cache fill (first use), ") + what).c_str());
  }
}

void bench_long_string(const std::shared_ptr<const grammar::Vocabulary>& vocab, const Tokenizer& tok) {
  const auto g = grammar::compile_gbnf(
      "root ::= \"{\\\"text\\\": \\\"\" [^\"\\\\]* \"\\\"}\"");
  grammar::Matcher m(g, vocab);
  if (!m.accept_bytes("{\"text\": \"")) throw Error("string prefix rejected");
  const std::vector<TokenId> words = tok.encode(" the quick brown fox jumps over the lazy dog", false);
  std::vector<uint64_t> bits((vocab->size() + 63) / 64);
  Stats first, last;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    const auto t = Clock::now();
    m.fill_mask(bits);
    const double us = us_since(t);
    if (i < 200) first.us.push_back(us);
    if (i >= n - 200) last.us.push_back(us);
    if (!m.accept_token(words[static_cast<size_t>(i) % words.size()])) throw Error("string token rejected");
  }
  std::printf("\n## fill_mask inside one long JSON string (%d tokens)\n\n", n);
  std::printf("| masks | n | p50 µs | p99 µs | p99.9 µs | max µs | total ms |\n|---|---|---|---|---|---|---|\n");
  first.print("tokens 1-200 (first is cache fill)");
  last.print("tokens 1801-2000");
}

void run_grammar(const GrammarOptions& opt) {
  bench_compile(opt);
  const auto t = Clock::now();
  const Tokenizer tok = Tokenizer::from_file(opt.model);
  const auto vocab = grammar::make_vocabulary(tok);
  std::printf("\nVocabulary: %zu tokens, trie of %zu nodes, built in %.1f ms (tokenizer load included)\n",
              vocab->size(), vocab->trie().node_count(), us_since(t) / 1000.0);
  bench_walks(opt, vocab, false);
  bench_walks(opt, vocab, true);
  bench_long_string(vocab, tok);
}

}  // namespace

void register_grammar(CLI::App& app) {
  auto opt = std::make_shared<GrammarOptions>();
  CLI::App* cmd = app.add_subcommand("grammar", "GBNF compile time and token-mask latency at a model's vocabulary");
  cmd->add_option("-m,--model", opt->model, "GGUF file whose vocabulary to use")->required();
  cmd->add_option("--shared", opt->shared_dir, "The shared reference folder")->capture_default_str();
  cmd->add_option("--walks", opt->walks, "Random walks of json.gbnf")->capture_default_str();
  cmd->add_option("--steps", opt->steps, "Tokens per walk at most")->capture_default_str();
  cmd->add_option("--seed", opt->seed, "Random seed")->capture_default_str();
  cmd->callback([opt] { run_grammar(*opt); });
}

}  // namespace slm::bench
