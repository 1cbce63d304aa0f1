// slm-bench -m FILE -p 512 -n 128 -t 1,2 -r 5 [-d DEPTH] [-o md|json|csv] [--peer LLAMA_BENCH]
//
// End-to-end speed the way llama-bench measures it: a prompt-processing test evaluates
// n_prompt random tokens in one batch, a generation test evaluates n_gen tokens one at a
// time (logits computed each step, no sampling), both after `depth` tokens already in the
// cache (not timed). Each test runs once untimed as a warm-up (32 prompt tokens or one
// generated token, like llama-bench), then -r timed repetitions.
//
// With --peer, llama.cpp's llama-bench runs the same test on the same file with the same
// threads right after each of our repetitions (alternating, so both see the same machine
// state), and the ratio of the mean speeds is printed. The JSON uses llama-bench's field
// names so tooling written for it reads ours.
//
// Each speed is also given as a share of this machine's limit (measured first, in a
// child process: `slm-bench limits`): generation against the bandwidth roofline (the
// weight bytes one token reads ÷ read bandwidth at that thread count), prompts against
// the best int8 peak (2 operations per non-embedding weight and token).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_commands.h"
#include "command_output.h"
#include "default_model.h"
#include "machine_limits.h"
#include "slm/error.h"
#include "slm/gguf.h"
#include "slm/slm.hpp"

namespace slm::bench {

namespace {

struct ModelBenchOptions {
  std::string model;
  std::vector<int> n_prompt{512};
  std::vector<int> n_gen{128};
  std::vector<int> depth{0};
  std::vector<int> threads;
  int repetitions = 5;
  std::string output = "md";
  std::string peer;  // path of llama.cpp's llama-bench
  bool limits = true;  // measure the machine's limits and state speeds as shares of them
};

struct Test {
  int n_prompt = 0;
  int n_gen = 0;
  int depth = 0;
  int threads = 1;

  std::string name() const {
    std::string s = n_prompt > 0 ? "pp" + std::to_string(n_prompt) : "tg" + std::to_string(n_gen);
    if (depth > 0) s += " @ d" + std::to_string(depth);
    return s;
  }
  int tokens() const { return n_prompt > 0 ? n_prompt : n_gen; }
};

struct Samples {
  std::vector<double> ns;  // one wall time per repetition

  double tokens_per_second(size_t i, int tokens) const { return 1e9 * tokens / ns[i]; }
  std::vector<double> ts(int tokens) const {
    std::vector<double> out;
    for (size_t i = 0; i < ns.size(); ++i) out.push_back(tokens_per_second(i, tokens));
    return out;
  }
};

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

// Sample standard deviation, as llama-bench reports it (0 for a single sample).
double stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

struct ModelFacts {
  std::string filename;
  std::string type;  // architecture and size label, e.g. "gemma3 268M"
  uint64_t size = 0;  // bytes of tensor data, as llama-bench's model_size
  uint64_t n_params = 0;
  uint64_t bytes_per_token = 0;  // weights one generated token reads
  uint64_t non_embedding_params = 0;
};

ModelFacts model_facts(const std::string& path) {
  const GgufFile file = GgufFile::open(path);
  ModelFacts f;
  f.filename = path;
  bool tied = true;  // no output matrix: the embedding matrix is the output projection
  uint64_t embedding_bytes = 0, embedding_params = 0;
  for (const GgufTensor& t : file.tensors()) {
    f.size += t.n_bytes;
    f.n_params += t.n_elements;
    if (t.name == "output.weight") tied = false;
    if (t.name == "token_embd.weight") {
      embedding_bytes = t.n_bytes;
      embedding_params = t.n_elements;
    }
  }
  // A token looks up one embedding row; the output projection reads its whole matrix.
  f.bytes_per_token = tied ? f.size : f.size - embedding_bytes;
  f.non_embedding_params = f.n_params - embedding_params;
  f.type = std::string(file.get_string_or("general.architecture", "?"));
  const std::string_view label = file.get_string_or("general.size_label", "");
  if (!label.empty()) f.type += " " + std::string(label);
  return f;
}

class SlmRunner {
 public:
  explicit SlmRunner(const std::string& path) : model_(path), rng_(1234) {}

  const api::Model& model() const { return model_; }

  // One timed repetition of `test` (after its untimed depth), in nanoseconds.
  double run(const Test& test, api::Session& session) {
    session.truncate(std::min(session.n_past(), test.depth));
    if (session.n_past() < test.depth) eval(session, random_tokens(test.depth - session.n_past()));
    const auto start = std::chrono::steady_clock::now();
    if (test.n_prompt > 0) {
      eval(session, random_tokens(test.n_prompt));
    } else {
      for (int i = 0; i < test.n_gen; ++i) eval(session, random_tokens(1));
    }
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  }

  void warm_up(const Test& test, api::Session& session) {
    session.truncate(0);
    eval(session, random_tokens(test.n_prompt > 0 ? std::min(test.n_prompt, 32) : 1));
  }

  api::Session session_for(const Test& test) {
    slm_session_params p = slm_session_default_params();
    p.n_ctx = test.depth + std::max(test.n_prompt, test.n_gen);
    p.n_threads = test.threads;
    return api::Session(model_, p);
  }

 private:
  std::vector<slm_token> random_tokens(int n) {
    std::uniform_int_distribution<slm_token> pick(0, model_.n_vocab() - 1);
    std::vector<slm_token> t(static_cast<size_t>(n));
    for (slm_token& id : t) id = pick(rng_);
    return t;
  }

  // Logits are computed (as in llama-bench) but not copied out.
  static void eval(api::Session& session, const std::vector<slm_token>& tokens) {
    if (slm_session_eval(session.get(), tokens.data(), tokens.size(), false, nullptr) != SLM_OK) {
      throw Error(std::string("evaluation failed: ") + slm_last_error());
    }
  }

  api::Model model_;
  std::mt19937 rng_;
};

// One repetition of `test` through llama-bench (it warms up on its own): wall ns.
double run_peer(const std::string& peer, const std::string& model, const Test& test) {
  const std::string cmd = shell_quote(peer) + " -m " + shell_quote(model) + " -p " + std::to_string(test.n_prompt) +
                          " -n " + std::to_string(test.n_gen) + " -d " + std::to_string(test.depth) + " -t " +
                          std::to_string(test.threads) + " -r 1 -o json 2>/dev/null";
  const CommandOutput peer_run = run_command(cmd);
  const int status = peer_run.status;
  const nlohmann::json j = nlohmann::json::parse(peer_run.out, nullptr, false);
  if (status != 0 || !j.is_array() || j.empty() || !j[0].contains("avg_ns")) {
    throw Error("the peer failed (exit status " + std::to_string(status) + "): " + cmd);
  }
  return j[0]["avg_ns"].get<double>();
}

struct Result {
  Test test;
  Samples slm;
  Samples peer;  // empty without --peer
};

nlohmann::ordered_json result_json(const ModelFacts& m, const Test& t, const Samples& s, const std::string& engine) {
  const std::vector<double> ts = s.ts(t.tokens());
  return {{"engine", engine},
          {"model_filename", m.filename},
          {"model_type", m.type},
          {"model_size", m.size},
          {"model_n_params", m.n_params},
          {"n_threads", t.threads},
          {"n_prompt", t.n_prompt},
          {"n_gen", t.n_gen},
          {"n_depth", t.depth},
          {"avg_ns", mean(s.ns)},
          {"stddev_ns", stddev(s.ns)},
          {"avg_ts", mean(ts)},
          {"stddev_ts", stddev(ts)},
          {"samples_ns", s.ns},
          {"samples_ts", ts}};
}

// slm's mean speed as a percentage of the machine's limit for that test (0 when unknown).
double percent_of_limit(const ModelFacts& m, const MachineLimits& limits, const Result& r) {
  const double ts = mean(r.slm.ts(r.test.tokens()));
  if (r.test.n_prompt > 0) {
    const double peak = limits.int8_gops(r.test.threads) * 1e9;
    return peak > 0 ? 100.0 * ts * 2.0 * static_cast<double>(m.non_embedding_params) / peak : 0.0;
  }
  const double bandwidth = limits.read_gbps(r.test.threads) * 1e9;
  return bandwidth > 0 ? 100.0 * ts * static_cast<double>(m.bytes_per_token) / bandwidth : 0.0;
}

nlohmann::ordered_json all_json(const ModelFacts& m, const MachineLimits& limits, const std::vector<Result>& results) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Result& r : results) {
    nlohmann::ordered_json ours = result_json(m, r.test, r.slm, "slm");
    ours["percent_of_limit"] = percent_of_limit(m, limits, r);
    if (!r.peer.ns.empty()) {
      const nlohmann::ordered_json theirs = result_json(m, r.test, r.peer, "llama.cpp");
      ours["peer_avg_ts"] = theirs["avg_ts"];
      ours["ratio"] = ours["avg_ts"].get<double>() / theirs["avg_ts"].get<double>();
      out.push_back(ours);
      out.push_back(theirs);
    } else {
      out.push_back(ours);
    }
  }
  return out;
}

void print_markdown(const ModelFacts& m, const MachineLimits& limits, const std::vector<Result>& results,
                    bool with_peer) {
  std::printf("| model | size | params | threads | test | slm t/s | %% of limit |%s\n",
              with_peer ? " llama.cpp t/s | ratio |" : "");
  std::printf("| --- | ---: | ---: | ---: | --- | ---: | ---: |%s\n", with_peer ? " ---: | ---: |" : "");
  for (const Result& r : results) {
    const std::vector<double> ts = r.slm.ts(r.test.tokens());
    std::printf("| %s | %.2f MiB | %.2f M | %d | %s | %.2f ± %.2f | %.0f%% |", m.type.c_str(),
                static_cast<double>(m.size) / (1 << 20), static_cast<double>(m.n_params) / 1e6, r.test.threads,
                r.test.name().c_str(), mean(ts), stddev(ts), percent_of_limit(m, limits, r));
    if (with_peer) {
      const std::vector<double> pts = r.peer.ts(r.test.tokens());
      std::printf(" %.2f ± %.2f | %.2f |", mean(pts), stddev(pts), mean(ts) / mean(pts));
    }
    std::printf("\n");
  }
}

void print_csv(const ModelFacts& m, const MachineLimits& limits, const std::vector<Result>& results) {
  std::printf("engine,model_filename,model_type,model_size,model_n_params,n_threads,n_prompt,n_gen,n_depth,"
              "avg_ns,stddev_ns,avg_ts,stddev_ts,samples_ts\n");
  for (const nlohmann::ordered_json& r : all_json(m, limits, results)) {
    std::string samples;
    // Appended piecewise: g++ 12 reports a false -Wrestrict on `const char* + std::string&&`.
    for (const auto& x : r["samples_ts"]) {
      if (!samples.empty()) samples += ';';
      samples += std::to_string(x.get<double>());
    }
    std::printf("%s,\"%s\",\"%s\",%llu,%llu,%d,%d,%d,%d,%.0f,%.0f,%.3f,%.3f,\"%s\"\n",
                r["engine"].get<std::string>().c_str(), m.filename.c_str(), m.type.c_str(),
                static_cast<unsigned long long>(m.size), static_cast<unsigned long long>(m.n_params),
                r["n_threads"].get<int>(), r["n_prompt"].get<int>(), r["n_gen"].get<int>(), r["n_depth"].get<int>(),
                r["avg_ns"].get<double>(), r["stddev_ns"].get<double>(), r["avg_ts"].get<double>(),
                r["stddev_ts"].get<double>(), samples.c_str());
  }
}

std::vector<Test> tests_of(const ModelBenchOptions& o) {
  std::vector<Test> tests;
  for (int t : o.threads) {
    for (int d : o.depth) {
      for (int p : o.n_prompt) {
        if (p > 0) tests.push_back({p, 0, d, t});
      }
      for (int n : o.n_gen) {
        if (n > 0) tests.push_back({0, n, d, t});
      }
    }
  }
  return tests;
}

void check_options(const ModelBenchOptions& o) {
  const auto all = [](const std::vector<int>& v, auto ok) { return std::all_of(v.begin(), v.end(), ok); };
  if (!all(o.n_prompt, [](int x) { return x >= 0 && x <= (1 << 16); }) ||
      !all(o.n_gen, [](int x) { return x >= 0 && x <= (1 << 16); }) ||
      !all(o.depth, [](int x) { return x >= 0 && x <= (1 << 20); }) ||
      !all(o.threads, [](int x) { return x >= 1 && x <= 1024; }) || o.repetitions < 1) {
    throw Error("-p, -n and -d must be in [0, 65536], -t in [1, 1024], -r at least 1");
  }
  if (!o.peer.empty() && !std::filesystem::exists(o.peer)) throw Error("--peer: no such file: " + o.peer);
}

// Peak resident memory against the budget: the model file, the largest KV cache
// of the tests, and 64 MiB for everything else (scratch, vocabulary, code).
void print_peak_memory(const std::string& model, size_t cache_bytes) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  constexpr double kMiB = 1 << 20;
  const double peak = static_cast<double>(usage.ru_maxrss) / 1024.0;
  const double file = static_cast<double>(std::filesystem::file_size(model)) / kMiB;
  const double cache = static_cast<double>(cache_bytes) / kMiB;
  const double budget = file + cache + 64.0;
  std::fprintf(stderr, "slm peak resident memory: %.1f MiB; budget %.1f MiB = model file %.1f + KV cache %.1f + 64: %s\n",
               peak, budget, file, cache, peak <= budget ? "within" : "OVER");
}

void run_model_bench(ModelBenchOptions o) {
  if (o.model.empty()) o.model = tools::default_model_path();
  if (o.threads.empty()) o.threads = {static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
  check_options(o);
  const std::vector<Test> tests = tests_of(o);
  if (tests.empty()) throw Error("nothing to measure: -p and -n are all 0");
  const ModelFacts facts = model_facts(o.model);
  MachineLimits limits;
  if (o.limits) {
    limits = machine_limits_from_child(*std::max_element(o.threads.begin(), o.threads.end()));
    std::fprintf(stderr, "machine: read %.1f / %.1f GB/s (1 / %d threads), best int8 %.0f / %.0f Gop/s\n",
                 limits.read_gbps_1, limits.read_gbps_all, limits.threads, limits.int8_gops(1),
                 limits.int8_gops(limits.threads));
  }
  SlmRunner runner(o.model);
  std::fprintf(stderr, "slm load: %.1f MiB of weights repacked in %.1f ms\n",
               static_cast<double>(runner.model().repacked_bytes()) / (1 << 20), runner.model().repack_ms());
  std::vector<Result> results;
  size_t largest_cache = 0;
  for (const Test& test : tests) {
    Result r{test, {}, {}};
    api::Session session = runner.session_for(test);
    largest_cache = std::max(largest_cache, session.cache_bytes());
    runner.warm_up(test, session);
    for (int rep = 0; rep < o.repetitions; ++rep) {
      r.slm.ns.push_back(runner.run(test, session));
      if (!o.peer.empty()) r.peer.ns.push_back(run_peer(o.peer, o.model, test));
      std::fprintf(stderr, "\r%s t=%d: %d/%d", test.name().c_str(), test.threads, rep + 1, o.repetitions);
    }
    std::fprintf(stderr, "\n");
    results.push_back(std::move(r));
  }
  print_peak_memory(o.model, largest_cache);
  if (o.output == "json") {
    std::printf("%s\n", all_json(facts, limits, results).dump(2).c_str());
  } else if (o.output == "csv") {
    print_csv(facts, limits, results);
  } else {
    print_markdown(facts, limits, results, !o.peer.empty());
  }
}

}  // namespace

void register_model_bench(CLI::App& app) {
  auto o = std::make_shared<ModelBenchOptions>();
  app.add_option("-m,--model", o->model, "GGUF model (default: the default model)");
  app.add_option("-p,--n-prompt", o->n_prompt, "Prompt lengths to process in one batch")->delimiter(',');
  app.add_option("-n,--n-gen", o->n_gen, "Numbers of tokens to generate one at a time")->delimiter(',');
  app.add_option("-d,--n-depth", o->depth, "Tokens already in the cache before each test")->delimiter(',');
  app.add_option("-t,--threads", o->threads, "Thread counts (default: all cores)")->delimiter(',');
  app.add_option("-r,--repetitions", o->repetitions, "Timed repetitions per test");
  app.add_option("-o,--output", o->output, "Output format")->check(CLI::IsMember({"md", "json", "csv"}));
  app.add_option("--peer", o->peer, "llama.cpp's llama-bench: run it alternately on the same tests");
  app.add_flag("!--no-limits", o->limits, "Do not measure the machine's limits (the % of limit column is then 0)");
  app.final_callback([&app, o] {
    if (app.get_subcommands().empty()) run_model_bench(*o);
  });
}

}  // namespace slm::bench
