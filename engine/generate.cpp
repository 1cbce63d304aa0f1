#include "engine/generate.h"

#include <algorithm>
#include <chrono>

#include "slm/error.h"

namespace slm {

namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// Length of the longest suffix of `text` that is a proper prefix of a stop string:
// those bytes are held back until the next token shows whether a stop string follows.
size_t held_back(const std::string& text, const std::vector<std::string>& stop) {
  size_t hold = 0;
  for (const std::string& s : stop) {
    for (size_t len = std::min(text.size(), s.size() - 1); len > hold; --len) {
      if (text.compare(text.size() - len, len, s, 0, len) == 0) {
        hold = len;
        break;
      }
    }
  }
  return hold;
}

// Position of the earliest stop string that ends at or after `from`, or npos.
size_t find_stop(const std::string& text, const std::vector<std::string>& stop, size_t from) {
  size_t best = std::string::npos;
  for (const std::string& s : stop) {
    if (s.empty()) continue;
    const size_t start = from >= s.size() ? from - s.size() + 1 : 0;
    best = std::min(best, text.find(s, start));
  }
  return best;
}

}  // namespace

GenerateResult generate(Session& session, const Tokenizer& tokenizer, std::span<const TokenId> prompt,
                        const GenerateOptions& options) {
  if (prompt.empty()) throw Error("empty prompt");
  if (prompt.size() > static_cast<size_t>(session.n_ctx())) {
    throw Error("context overflow: the prompt has " + std::to_string(prompt.size()) +
                " tokens, the context holds " + std::to_string(session.n_ctx()));
  }
  GenerateResult result;
  result.n_prompt = static_cast<int>(prompt.size());

  // Reuse the cached positions of the longest common prefix; the last prompt token is
  // always evaluated again since its logits start the generation.
  const std::vector<int32_t>& history = session.history();
  size_t common = 0;
  while (common < history.size() && common < prompt.size() && history[common] == prompt[common]) ++common;
  common = std::min(common, prompt.size() - 1);
  session.truncate(static_cast<int>(common));
  result.n_reused = static_cast<int>(common);

  auto start = std::chrono::steady_clock::now();
  // A view of the session's logits buffer: valid until the next evaluate, never copied.
  std::span<const float> logits = session.evaluate(prompt.subspan(common), false);
  result.prompt_ms = ms_since(start);

  start = std::chrono::steady_clock::now();
  Sampler sampler(options.sampling);
  result.seed = sampler.seed();
  StreamDecoder decoder(tokenizer);
  size_t streamed = 0;  // bytes of result.text already handed to on_text
  const auto emit = [&](size_t upto) {
    if (upto <= streamed) return true;
    const bool go_on = !options.on_text || options.on_text(std::string_view(result.text).substr(streamed, upto - streamed));
    streamed = upto;
    return go_on;
  };
  bool stopped_by_string = false;
  while (options.max_tokens < 0 || static_cast<int>(result.tokens.size()) < options.max_tokens) {
    const TokenId id = sampler.sample(logits, session.history());
    if (!options.ignore_eos && tokenizer.is_eog(id)) {
      result.reason = StopReason::kEndOfGeneration;
      break;
    }
    result.tokens.push_back(id);
    const size_t before = result.text.size();
    result.text += decoder.push(id);
    if (const size_t at = find_stop(result.text, options.stop, before); at != std::string::npos) {
      result.text.resize(at);
      result.reason = StopReason::kStopString;
      stopped_by_string = true;
      break;
    }
    if (!emit(result.text.size() - held_back(result.text, options.stop))) {
      result.reason = StopReason::kCallback;
      break;
    }
    const bool budget_left = options.max_tokens < 0 || static_cast<int>(result.tokens.size()) < options.max_tokens;
    if (!budget_left) break;
    if (session.n_past() >= session.n_ctx()) break;  // context full: ends like the budget
    const TokenId one[] = {id};
    logits = session.evaluate(one, false);
  }
  if (!stopped_by_string) result.text += decoder.flush();
  if (result.reason != StopReason::kCallback) emit(result.text.size());
  result.generate_ms = ms_since(start);
  return result;
}

}  // namespace slm
