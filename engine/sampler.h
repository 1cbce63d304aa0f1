// Token sampling with llama.cpp's default chain and defaults (facts: ARCH_FACTS §5):
// penalties -> top-k -> top-p -> min-p -> temperature -> random draw. A temperature
// <= 0 is greedy (argmax, ties to the lowest id).
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace slm {

struct SamplingParams {
  float temperature = 0.8f;
  int top_k = 40;              // <= 0: off
  float top_p = 0.95f;         // >= 1: off
  float min_p = 0.05f;         // <= 0: off
  float repeat_penalty = 1.0f; // 1: off
  int penalty_last_n = 64;     // window of previous tokens the penalties look at
  float frequency_penalty = 0.0f;
  float presence_penalty = 0.0f;
  uint64_t seed = 0;           // with random_seed false
  bool random_seed = true;     // draw a seed from the OS
};

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);

  // Picks the next token from one row of logits. `history` holds the tokens so far
  // (prompt and generated); only its last penalty_last_n entries count. When `allowed`
  // is not empty, only tokens whose bit is set there (bit i % 64 of word i / 64: a
  // constraint's token mask) can be picked; -1 when none is.
  int32_t sample(std::span<const float> logits, std::span<const int32_t> history,
                 std::span<const uint64_t> allowed = {});

  uint64_t seed() const { return seed_; }

 private:
  struct Candidate {
    int32_t id;
    float logit;
  };
  void apply_penalties(std::vector<Candidate>& c, std::span<const int32_t> history) const;

  SamplingParams params_;
  uint64_t seed_;
  std::mt19937_64 rng_;
};

}  // namespace slm
