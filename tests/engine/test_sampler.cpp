// The sampling chain on hand-made logits.
#include <gtest/gtest.h>

#include <map>

#include "engine/sampler.h"

namespace slm {
namespace {

SamplingParams seeded(float temperature) {
  SamplingParams p;
  p.temperature = temperature;
  p.random_seed = false;
  p.seed = 42;
  return p;
}

TEST(Sampler, GreedyIsArgmaxWithTiesToTheLowestId) {
  Sampler s(seeded(0.0f));
  const std::vector<float> logits = {0.5f, 3.0f, -1.0f, 3.0f, 2.9f};
  EXPECT_EQ(s.sample(logits, {}), 1);
}

TEST(Sampler, TopKOfOneIsGreedyAtAnyTemperature) {
  SamplingParams p = seeded(5.0f);
  p.top_k = 1;
  Sampler s(p);
  const std::vector<float> logits = {0.1f, 0.2f, 0.15f, 0.3f, 0.0f};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(s.sample(logits, {}), 3);
}

TEST(Sampler, SameSeedSameDraws) {
  const std::vector<float> logits = {1.0f, 1.1f, 0.9f, 1.05f, 0.95f, 1.0f};
  SamplingParams p = seeded(1.0f);
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  Sampler a(p), b(p);
  std::map<int32_t, int> seen;
  for (int i = 0; i < 200; ++i) {
    const int32_t x = a.sample(logits, {});
    EXPECT_EQ(x, b.sample(logits, {}));
    ++seen[x];
  }
  EXPECT_EQ(seen.size(), logits.size());  // a flat distribution reaches every token
}

TEST(Sampler, MinPAndTopPDropUnlikelyTokens) {
  // p ≈ {0.88, 0.12, 1e-5...}: min-p 0.05 keeps ids 0 and 1 only; top-p 0.5 keeps id 0.
  const std::vector<float> logits = {10.0f, 8.0f, -1.0f, -2.0f, -3.0f};
  SamplingParams p = seeded(1.0f);
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.05f;
  Sampler min_p(p);
  for (int i = 0; i < 300; ++i) EXPECT_LE(min_p.sample(logits, {}), 1);
  p.min_p = 0.0f;
  p.top_p = 0.5f;
  Sampler top_p(p);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(top_p.sample(logits, {}), 0);
}

TEST(Sampler, PenaltiesAndAllowedMask) {
  const std::vector<float> logits = {1.0f, 5.0f, 4.0f, -1.0f};
  SamplingParams p = seeded(0.0f);
  p.repeat_penalty = 2.0f;  // 5 / 2 = 2.5 < 4
  Sampler repeat(p);
  const std::vector<int32_t> history = {1, 3};
  EXPECT_EQ(repeat.sample(logits, history), 2);
  p.repeat_penalty = 1.0f;
  p.presence_penalty = 0.5f;
  p.frequency_penalty = 0.3f;  // 5 - 3·0.3 - 0.5 = 3.6 < 4
  Sampler presence(p);
  const std::vector<int32_t> three = {1, 1, 1};
  EXPECT_EQ(presence.sample(logits, three), 2);
  p.penalty_last_n = 2;  // only the last two count: 5 - 0.6 - 0.5 = 3.9 < 4
  Sampler window(p);
  EXPECT_EQ(window.sample(logits, three), 2);
  Sampler plain(seeded(0.0f));
  const std::vector<uint64_t> first_and_last = {0b1001};
  EXPECT_EQ(plain.sample(logits, {}, first_and_last), 0);
  const std::vector<uint64_t> none = {0};
  EXPECT_EQ(plain.sample(logits, {}, none), -1);
  const std::vector<uint64_t> beyond_the_vocabulary = {0b110000};  // ids 4 and 5 do not exist
  EXPECT_EQ(plain.sample(logits, {}, beyond_the_vocabulary), -1);
  // Words past the first: a mask over a larger vocabulary.
  std::vector<float> wide(130, 0.0f);
  wide[129] = -3.0f;
  const std::vector<uint64_t> only_129 = {0, 0, 0b10};
  EXPECT_EQ(plain.sample(wide, {}, only_129), 129);
}

}  // namespace
}  // namespace slm
