// slm-bench constraints [-m FILE] [--per-split N] [--steps N] [--list-slow US] [--hash-masks] SPLIT_DIR...
//   Compile time of every JSON Schema in each folder (p50 / p99 / max, schemas that do
//   not compile counted apart), and the time of one token mask at the model's
//   vocabulary (p50 / p99 / p99.9 / max) along random walks: from the start state, pick
//   a random allowed token, accept it, repeat. Times are given twice: wall clock, and
//   this thread's CPU time, which on a shared machine leaves out the time slices other
//   processes took (they would show as a fake tail). The compile cache is bypassed by
//   making each schema's text unique (a $comment), so every compile is a cold one.
//   --list-slow names each slow mask with its schema, step and the text accepted before
//   it (which fixes the parser state); --hash-masks prints one hash of every bit of every
//   mask, so two builds can be shown to give the same masks.
// slm-bench decode-constrained [-m FILE] [--schema FILE] [-p PROMPT] [-r N]
//   Generation speed with a JSON Schema constraint against the same number of tokens
//   without one, and the share of tokens the constraint forced.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <time.h>
#include <vector>

#include "bench_commands.h"
#include "default_model.h"
#include "read_text.h"
#include "slm/error.h"
#include "slm/slm.hpp"

namespace slm::bench {

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  return v[i];
}

struct MaskOptions {
  std::string model;
  std::vector<std::string> splits;
  int per_split = 200;
  int steps = 64;
  double list_slow_us = 0;  // > 0: name every mask slower than this (CPU time) on stderr
  bool hash_masks = false;  // print one hash of every mask, in order, to compare two builds
};

void run_constraint_bench(const MaskOptions& o) {
  const api::Model model = api::Model::load_vocab(o.model.empty() ? tools::default_model_path() : o.model);
  // The model's grammar vocabulary (its token trie) is made by the first constraint and
  // shared by all later ones: built here, so the first schema's compile time is its own.
  const api::Constraint warm_up(model, SLM_CONSTRAINT_JSON_SCHEMA, "{}");
  std::mt19937 rng(7);
  uint64_t masks_hash = 0xcbf29ce484222325ull;  // FNV-1a over the mask words
  std::vector<double> all_compile, all_compile_cpu, all_mask, all_mask_cpu;
  std::printf("| split | schemas | compiled | compile p50 / p99 / max ms | compile CPU p50 / p99 / max ms | masks |"
              " mask p50 / p99 / p99.9 / max µs | mask CPU p50 / p99 / p99.9 / max µs |\n");
  std::printf("| --- | ---: | ---: | --- | --- | ---: | --- | --- |\n");
  for (const std::string& dir : o.splits) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".json") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (static_cast<int>(files.size()) > o.per_split) files.resize(static_cast<size_t>(o.per_split));
    std::vector<double> compile_ms, compile_cpu_ms, mask_us, mask_cpu_us;
    int compiled = 0;
    for (const auto& f : files) {
      std::string text = tools::read_text_file(f.string());
      const size_t brace = text.find('{');
      if (brace == std::string::npos) continue;
      text.insert(brace + 1, "\"$comment\": \"bench " + f.filename().string() + "\",");
      const double cpu0 = thread_cpu_us();
      const auto t0 = std::chrono::steady_clock::now();
      std::unique_ptr<api::Constraint> c;
      try {
        c = std::make_unique<api::Constraint>(model, SLM_CONSTRAINT_JSON_SCHEMA, text);
      } catch (const Error&) {
        continue;
      }
      compile_ms.push_back(ms_since(t0));
      compile_cpu_ms.push_back((thread_cpu_us() - cpu0) / 1000.0);
      ++compiled;
      api::Matcher m(*c, model.n_vocab());
      std::vector<slm_token> walk;  // the tokens accepted so far, to show where a slow mask was
      for (int step = 0; step < o.steps && !m.is_terminated(); ++step) {
        const double cpu = thread_cpu_us();
        const auto t1 = std::chrono::steady_clock::now();
        const std::vector<uint64_t> bits = m.mask();
        mask_us.push_back(1000.0 * ms_since(t1));
        mask_cpu_us.push_back(thread_cpu_us() - cpu);
        if (o.list_slow_us > 0 && mask_cpu_us.back() > o.list_slow_us) {
          std::fprintf(stderr, "slow mask: %s step %d: %.0f µs CPU after \"%s\"\n", f.string().c_str(), step,
                       mask_cpu_us.back(), model.detokenize(walk).c_str());
        }
        if (o.hash_masks) {
          for (const uint64_t w : bits) masks_hash = (masks_hash ^ w) * 0x100000001b3ull;
        }
        std::vector<slm_token> allowed;
        for (size_t w = 0; w < bits.size(); ++w) {
          for (uint64_t b = bits[w]; b != 0; b &= b - 1) allowed.push_back(static_cast<slm_token>(w * 64 + __builtin_ctzll(b)));
        }
        if (allowed.empty()) throw Error(f.string() + ": dead end after " + std::to_string(step) + " tokens");
        walk.push_back(allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)]);
        m.accept(walk.back());
      }
    }
    std::printf("| %s | %zu | %d | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %zu | %.0f / %.0f / %.0f / %.0f |"
                " %.0f / %.0f / %.0f / %.0f |\n",
                std::filesystem::path(dir).filename().c_str(), files.size(), compiled, percentile(compile_ms, 50),
                percentile(compile_ms, 99), percentile(compile_ms, 100), percentile(compile_cpu_ms, 50),
                percentile(compile_cpu_ms, 99), percentile(compile_cpu_ms, 100), mask_us.size(), percentile(mask_us, 50),
                percentile(mask_us, 99), percentile(mask_us, 99.9), percentile(mask_us, 100), percentile(mask_cpu_us, 50),
                percentile(mask_cpu_us, 99), percentile(mask_cpu_us, 99.9), percentile(mask_cpu_us, 100));
    std::fflush(stdout);
    all_compile.insert(all_compile.end(), compile_ms.begin(), compile_ms.end());
    all_compile_cpu.insert(all_compile_cpu.end(), compile_cpu_ms.begin(), compile_cpu_ms.end());
    all_mask.insert(all_mask.end(), mask_us.begin(), mask_us.end());
    all_mask_cpu.insert(all_mask_cpu.end(), mask_cpu_us.begin(), mask_cpu_us.end());
  }
  std::printf("| all | | %zu | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %zu | %.0f / %.0f / %.0f / %.0f |"
              " %.0f / %.0f / %.0f / %.0f |\n",
              all_compile.size(), percentile(all_compile, 50), percentile(all_compile, 99), percentile(all_compile, 100),
              percentile(all_compile_cpu, 50), percentile(all_compile_cpu, 99), percentile(all_compile_cpu, 100),
              all_mask.size(), percentile(all_mask, 50), percentile(all_mask, 99), percentile(all_mask, 99.9),
              percentile(all_mask, 100), percentile(all_mask_cpu, 50), percentile(all_mask_cpu, 99),
              percentile(all_mask_cpu, 99.9), percentile(all_mask_cpu, 100));
  if (o.hash_masks) std::printf("hash of all masks: %016llx\n", static_cast<unsigned long long>(masks_hash));
}

struct DecodeOptions {
  std::string model;
  std::string schema;
  std::string prompt = "Extract the person: Ada Lovelace, born 1815 in London.\n";
  int repetitions = 5;
  int threads = 0;
};

const char* kDefaultSchema = R"({"type": "object", "properties": {
  "name": {"type": "string", "maxLength": 40}, "birth_year": {"type": "integer"},
  "city": {"type": "string", "maxLength": 40}, "occupation": {"type": "string", "maxLength": 60}},
  "required": ["name", "birth_year", "city", "occupation"], "additionalProperties": false})";

void run_decode_bench(const DecodeOptions& o) {
  const api::Model model(o.model.empty() ? tools::default_model_path() : o.model);
  const api::Constraint c(model, SLM_CONSTRAINT_JSON_SCHEMA, o.schema.empty() ? kDefaultSchema : tools::read_text_file(o.schema));
  const std::vector<slm_token> prompt = model.tokenize(o.prompt, true);
  std::vector<double> with_ts, without_ts, forced_share;
  for (int r = 0; r < o.repetitions; ++r) {
    api::Session session(model, slm_session_params{1024, o.threads});
    slm_generate_params p = slm_generate_default_params();
    p.sampling.random_seed = false;
    p.sampling.seed = static_cast<uint64_t>(r + 1);
    p.max_tokens = 256;
    p.constraint = c.get();
    const api::Generation g = session.generate(prompt, p);
    const int n = g.result.n_generated;
    with_ts.push_back(1000.0 * n / g.result.generate_ms);
    forced_share.push_back(n > 0 ? static_cast<double>(g.result.n_forced) / n : 0);
    // The same number of tokens without a constraint, same prompt (its cache reused).
    p.constraint = nullptr;
    p.max_tokens = n;
    p.ignore_eos = true;
    const api::Generation free = session.generate(prompt, p);
    without_ts.push_back(1000.0 * free.result.n_generated / free.result.generate_ms);
  }
  const auto median = [](std::vector<double> v) { return percentile(std::move(v), 50); };
  std::printf("decode tokens/s, median of %d: constrained %.1f, unconstrained %.1f (ratio %.3f); forced share %.1f%%\n",
              o.repetitions, median(with_ts), median(without_ts), median(with_ts) / median(without_ts),
              100.0 * median(forced_share));
}

}  // namespace

void register_constraint_bench(CLI::App& app) {
  auto mask = std::make_shared<MaskOptions>();
  CLI::App* cmd = app.add_subcommand("constraints", "JSON Schema compile time and token-mask time at a vocabulary");
  cmd->add_option("-m,--model", mask->model, "GGUF file whose vocabulary to use (default: the default model)");
  cmd->add_option("--per-split", mask->per_split, "Schemas per folder (sorted by name)")->capture_default_str();
  cmd->add_option("--steps", mask->steps, "Tokens per random walk")->capture_default_str();
  cmd->add_option("--list-slow", mask->list_slow_us, "List masks above this many µs of CPU time on stderr");
  cmd->add_flag("--hash-masks", mask->hash_masks, "Print a hash of every mask, to check that two builds agree");
  cmd->add_option("splits", mask->splits, "Folders of JSON Schema files")->required();
  cmd->callback([mask] { run_constraint_bench(*mask); });

  auto decode = std::make_shared<DecodeOptions>();
  CLI::App* d = app.add_subcommand("decode-constrained", "Generation speed with and without a JSON Schema constraint");
  d->add_option("-m,--model", decode->model, "GGUF model (default: the default model)");
  d->add_option("--schema", decode->schema, "JSON Schema file (default: a person record)");
  d->add_option("-p,--prompt", decode->prompt, "Prompt");
  d->add_option("-r,--repetitions", decode->repetitions, "Runs (seeds 1..r)")->capture_default_str();
  d->add_option("-t,--threads", decode->threads, "Threads (0: all cores)");
  d->callback([decode] { run_decode_bench(*decode); });
}

}  // namespace slm::bench
