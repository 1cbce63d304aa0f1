// slm-bench tokenize -m FILE... [-f TEXT] [--mb N] [-o md|json]: tokenizer throughput.
// The text (default: every ../shared/vocab/*.inp test text, a mix of scripts, code,
// emoji and whitespace runs) is repeated to --mb megabytes, then encoded and decoded
// once per model; load time is measured separately.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "bench_commands.h"
#include "read_text.h"
#include "slm/error.h"
#include "slm/tokenizer.h"

namespace slm::bench {

namespace {

struct TokenizeOptions {
  std::vector<std::string> models;
  std::string text_file;
  std::string shared_dir = "../shared";
  double mb = 4.0;
  std::string output = "md";
};

std::string mixed_text(const TokenizeOptions& opt) {
  if (!opt.text_file.empty()) return tools::read_text_file(opt.text_file);
  std::string text;
  const std::filesystem::path dir = std::filesystem::path(opt.shared_dir) / "vocab";
  if (!std::filesystem::exists(dir)) throw Error(dir.string() + " not found: pass -f TEXT or --shared DIR");
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".inp") text += tools::read_text_file(e.path().string());
  }
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void run_tokenize(const TokenizeOptions& opt) {
  const std::string unit = mixed_text(opt);
  if (unit.empty()) throw Error("empty benchmark text");
  std::string text;
  while (static_cast<double>(text.size()) < opt.mb * 1e6) text += unit;
  const double mb = static_cast<double>(text.size()) / 1e6;
  nlohmann::json rows = nlohmann::json::array();
  for (const std::string& path : opt.models) {
    auto t = std::chrono::steady_clock::now();
    const Tokenizer tok = Tokenizer::from_file(path);
    const double load_s = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const std::vector<TokenId> ids = tok.encode(text, false, false);
    const double encode_s = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const std::string back = tok.decode(ids);
    const double decode_s = seconds_since(t);
    rows.push_back({{"model", std::filesystem::path(path).filename().string()}, {"tokenizer", tok.model_name()},
                    {"pre", tok.pre_name()}, {"text_mb", mb}, {"tokens", ids.size()}, {"load_s", load_s},
                    {"encode_mb_per_s", mb / encode_s}, {"decode_mb_per_s", static_cast<double>(back.size()) / 1e6 / decode_s}});
  }
  if (opt.output == "json") {
    std::printf("%s\n", rows.dump(1).c_str());
    return;
  }
  std::printf("| model | tokenizer | pre | text MB | tokens | load s | encode MB/s | decode MB/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& r : rows) {
    std::printf("| %s | %s | %s | %.1f | %zu | %.3f | %.1f | %.1f |\n", r["model"].get<std::string>().c_str(),
                r["tokenizer"].get<std::string>().c_str(), r["pre"].get<std::string>().c_str(), r["text_mb"].get<double>(),
                r["tokens"].get<size_t>(), r["load_s"].get<double>(), r["encode_mb_per_s"].get<double>(),
                r["decode_mb_per_s"].get<double>());
  }
}

}  // namespace

void register_tokenize(CLI::App& app) {
  auto opt = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Tokenizer throughput (MB/s) on a large mixed text");
  cmd->add_option("-m,--model", opt->models, "GGUF files whose tokenizers to measure")->required();
  cmd->add_option("-f,--file", opt->text_file, "Text to repeat (default: ../shared/vocab/*.inp)");
  cmd->add_option("--shared", opt->shared_dir, "The shared reference folder")->capture_default_str();
  cmd->add_option("--mb", opt->mb, "Megabytes of text")->capture_default_str();
  cmd->add_option("-o,--output", opt->output, "md or json")->check(CLI::IsMember({"md", "json"}))->capture_default_str();
  cmd->callback([opt] { run_tokenize(*opt); });
}

}  // namespace slm::bench
