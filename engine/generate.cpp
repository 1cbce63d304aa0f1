#include "engine/generate.h"

#include <algorithm>
#include <bit>
#include <chrono>

#include "grammar/matcher.h"
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

// Tokens for the bytes the constraint forces next (at most `limit`), accepted into the
// matcher. They are the canonical tokenization of those bytes as a continuation, minus
// its last token, which could merge with the bytes that follow and is left to sampling.
std::vector<TokenId> take_forced_tokens(grammar::Matcher& matcher, const Tokenizer& tokenizer, int limit) {
  if (limit <= 0 || matcher.is_complete()) return {};
  const std::string bytes = matcher.forced_bytes();
  if (bytes.empty()) return {};
  std::vector<TokenId> ids = tokenizer.encode_continuation(bytes);
  ids.pop_back();
  std::vector<TokenId> accepted;
  for (TokenId id : ids) {
    if (static_cast<int>(accepted.size()) == limit || !matcher.accept_token(id)) break;
    accepted.push_back(id);
  }
  return accepted;
}

// Whether the matcher, after a token, can still complete within the tokens left after
// it (every byte has a token of its own, so a byte needs at most one token).
bool completes_in_time(const grammar::Matcher& m, int tokens_left_after) {
  return m.is_terminated() || static_cast<int64_t>(m.bytes_to_complete()) <= tokens_left_after;
}

// The budget is nearly spent: the most likely allowed token that brings the end of the
// output closer (end-of-generation once it is complete).
TokenId token_toward_end(grammar::Matcher& m, std::span<const float> logits, std::span<const uint64_t> mask) {
  std::vector<TokenId> allowed;
  for (size_t w = 0; w < mask.size(); ++w) {
    for (uint64_t bits = mask[w]; bits != 0; bits &= bits - 1) {
      allowed.push_back(static_cast<TokenId>(w * 64 + static_cast<size_t>(std::countr_zero(bits))));
    }
  }
  std::sort(allowed.begin(), allowed.end(), [&](TokenId a, TokenId b) { return logits[a] > logits[b]; });
  const uint32_t need = m.bytes_to_complete();
  for (const TokenId id : allowed) {
    if (!m.accept_token(id)) continue;
    if (m.is_terminated() || m.bytes_to_complete() < need) return id;
    m.rollback(1);
  }
  throw Error("the constraint cannot be completed within the token budget");
}

// The next token under a constraint, accepted into the matcher. Most sampled tokens
// already fit, so the mask is computed only when the first draw does not; a token that
// would leave too few tokens to finish the output is refused, so a finite budget always
// ends in a complete output.
TokenId constrained_choice(grammar::Matcher& m, Sampler& sampler, std::span<const float> logits,
                           std::span<const int32_t> history, TokenId sampled, int tokens_left,
                           std::vector<uint64_t>& mask) {
  if (m.accept_token(sampled)) {
    if (completes_in_time(m, tokens_left - 1)) return sampled;
    m.rollback(1);
  }
  m.fill_mask(mask);
  const TokenId id = sampler.sample(logits, history, mask);
  if (id < 0 || !m.accept_token(id)) throw Error("the constraint allows no token here");
  if (completes_in_time(m, tokens_left - 1)) return id;
  m.rollback(1);
  return token_toward_end(m, logits, mask);
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
  grammar::Matcher* const matcher = options.matcher;
  std::vector<uint64_t> mask(matcher ? (tokenizer.vocab_size() + 63) / 64 : 0);
  size_t streamed = 0;  // bytes of result.text already handed to on_text
  const auto emit = [&](size_t upto) {
    if (upto <= streamed) return true;
    const bool go_on = !options.on_text || options.on_text(std::string_view(result.text).substr(streamed, upto - streamed));
    streamed = upto;
    return go_on;
  };
  bool stopped_by_string = false;
  // Adds a generated token's text; false when a stop string or the callback ends generation.
  const auto append = [&](TokenId id) {
    result.tokens.push_back(id);
    const size_t before = result.text.size();
    result.text += decoder.push(id);
    if (const size_t at = find_stop(result.text, options.stop, before); at != std::string::npos) {
      result.text.resize(at);
      result.reason = StopReason::kStopString;
      stopped_by_string = true;
      return false;
    }
    if (!emit(result.text.size() - held_back(result.text, options.stop))) {
      result.reason = StopReason::kCallback;
      return false;
    }
    return true;
  };
  const auto tokens_left = [&] {
    const int budget = options.max_tokens < 0 ? session.n_ctx() : options.max_tokens - static_cast<int>(result.tokens.size());
    return std::min(budget, session.n_ctx() - session.n_past());
  };
  while (options.max_tokens < 0 || static_cast<int>(result.tokens.size()) < options.max_tokens) {
    if (matcher != nullptr) {
      const std::vector<TokenId> forced = take_forced_tokens(*matcher, tokenizer, tokens_left());
      if (!forced.empty()) {
        result.n_forced += static_cast<int>(forced.size());
        const bool go_on = std::all_of(forced.begin(), forced.end(), append);
        if (!go_on || tokens_left() <= 0) break;
        logits = session.evaluate(forced, false);
        continue;
      }
    }
    TokenId id = sampler.sample(logits, session.history());
    if (matcher != nullptr) id = constrained_choice(*matcher, sampler, logits, session.history(), id, tokens_left(), mask);
    if ((matcher != nullptr && matcher->is_terminated()) || (!options.ignore_eos && tokenizer.is_eog(id))) {
      result.reason = StopReason::kEndOfGeneration;
      break;
    }
    if (!append(id)) break;
    if (tokens_left() <= 0) break;  // token budget spent or context full
    const TokenId one[] = {id};
    logits = session.evaluate(one, false);
  }
  // A constrained output that is complete when the budget ends has ended as it should.
  if (matcher != nullptr && result.reason == StopReason::kMaxTokens && matcher->is_complete()) {
    result.reason = StopReason::kEndOfGeneration;
  }
  if (!stopped_by_string) result.text += decoder.flush();
  if (result.reason != StopReason::kCallback) emit(result.text.size());
  result.generate_ms = ms_since(start);
  return result;
}

}  // namespace slm
