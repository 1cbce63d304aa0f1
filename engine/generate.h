// Text generation on a session: reuse of the longest shared prompt prefix, batched
// prompt processing, the decode loop with sampling, stop strings, end-of-generation
// tokens and a token budget, streaming complete UTF-8 text as it is produced.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sampler.h"
#include "engine/session.h"
#include "slm/tokenizer.h"

namespace slm {

namespace grammar {
class Matcher;
}

enum class StopReason { kMaxTokens, kEndOfGeneration, kStopString, kCallback };

struct GenerateOptions {
  SamplingParams sampling;
  int max_tokens = 256;               // < 0: until the context is full
  std::vector<std::string> stop;      // generation ends before the first occurrence
  bool ignore_eos = false;            // keep going past end-of-generation tokens
  // Receives each new piece of text (complete UTF-8); return false to stop.
  std::function<bool(std::string_view text)> on_text;
  // Constrains the generated text (not the prompt) from the matcher's current state:
  // only tokens it allows are sampled, end-of-generation only where the text is
  // complete, and bytes it forces are appended without sampling (one batched
  // evaluation instead of a decode step per token). Tokens that would leave too few
  // tokens of the budget to finish the output are refused, so a finite budget ends in a
  // complete output, reported as kEndOfGeneration.
  grammar::Matcher* matcher = nullptr;
};

struct GenerateResult {
  std::vector<TokenId> tokens;  // generated ids (an EOG token that ended generation is not included)
  std::string text;             // their text, cut before a stop string
  StopReason reason = StopReason::kMaxTokens;
  int n_prompt = 0;             // prompt tokens
  int n_reused = 0;             // of which came from the session's cache
  int n_forced = 0;             // generated tokens the constraint forced (not sampled)
  double prompt_ms = 0.0;       // processing the new prompt tokens
  double generate_ms = 0.0;     // the decode loop
  uint64_t seed = 0;
};

// Throws slm::Error when the prompt does not fit the session's context.
GenerateResult generate(Session& session, const Tokenizer& tokenizer, std::span<const TokenId> prompt,
                        const GenerateOptions& options);

}  // namespace slm
