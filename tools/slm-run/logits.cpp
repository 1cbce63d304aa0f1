// slm-run logits -m FILE --tokens 1,2,3 [--top K] [--json]: evaluates the ids in one
// batch and prints the K highest logits at every position (ties: lower id first).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "commands.h"
#include "slm/error.h"
#include "slm/slm.hpp"

namespace slm::tools {

namespace {

struct LogitsOptions {
  std::string model;
  std::string tokens;
  int top = 10;
  bool json = false;
};

std::vector<int32_t> parse_ids(const std::string& text) {
  std::vector<int32_t> ids;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v < 0 || v > INT32_MAX) throw std::invalid_argument(item);
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::logic_error&) {
      throw Error("--tokens: '" + item + "' is not a token id");
    }
  }
  if (ids.empty()) throw Error("--tokens: no token ids given");
  return ids;
}

void run_logits(const LogitsOptions& opt) {
  const std::vector<int32_t> ids = parse_ids(opt.tokens);
  const api::Model model(opt.model);
  slm_session_params params = slm_session_default_params();
  params.n_ctx = static_cast<int32_t>(ids.size());
  api::Session session(model, params);
  const std::vector<float> logits = session.eval(ids, true);
  const int n_vocab = model.n_vocab();
  const int k = std::clamp(opt.top, 1, n_vocab);
  nlohmann::json out = {{"n_vocab", n_vocab}, {"positions", nlohmann::json::array()}};
  std::vector<int32_t> order(static_cast<size_t>(n_vocab));
  for (size_t t = 0; t < ids.size(); ++t) {
    const float* row = logits.data() + t * static_cast<size_t>(n_vocab);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [row](int32_t a, int32_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    nlohmann::json top = nlohmann::json::array();
    for (int i = 0; i < k; ++i) top.push_back({order[i], row[order[i]]});
    out["positions"].push_back({{"top", top}});
    if (!opt.json) {
      std::printf("%zu:", t);
      for (int i = 0; i < k; ++i) std::printf(" %d:%.4f", order[i], static_cast<double>(row[order[i]]));
      std::printf("\n");
    }
  }
  if (opt.json) std::printf("%s\n", out.dump().c_str());
}

}  // namespace

void register_logits(CLI::App& app) {
  auto opt = std::make_shared<LogitsOptions>();
  CLI::App* cmd = app.add_subcommand("logits", "Evaluate token ids in one batch and print the top logits per position");
  cmd->add_option("-m,--model", opt->model, "GGUF model file")->required();
  cmd->add_option("--tokens", opt->tokens, "Comma-separated token ids")->required();
  cmd->add_option("--top", opt->top, "Logits to print per position")->capture_default_str();
  cmd->add_flag("--json", opt->json, "Print one JSON object");
  cmd->callback([opt] { run_logits(*opt); });
}

}  // namespace slm::tools
