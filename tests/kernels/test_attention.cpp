// Attention kernels: the scalar reference's accumulation order pinned on inputs where the
// order shows, every SIMD family bit-identical to the reference (random and adversarial
// shapes and values), and attention_f16 against a plain double-precision attention.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/attention.h"
#include "kernels/attention_ref.h"
#include "kernels/fp16.h"
#include "kernels/ops.h"

namespace slm {
namespace {

std::vector<uint16_t> to_f16(const std::vector<float>& x) {
  std::vector<uint16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = f32_to_f16(x[i]);
  return out;
}

// One query of n ones against one key whose first product is 2^24 and the rest 1: a
// sequential float sum would lose every 1, the lane trees keep some.
float pinned_dot(int n, F16DotOrder order) {
  std::vector<float> q(static_cast<size_t>(n), 1.0f);
  std::vector<float> k(static_cast<size_t>(n), 1.0f);
  q[0] = 4096.0f;
  k[0] = 4096.0f;
  const std::vector<uint16_t> k16 = to_f16(k);
  float out = 0.0f;
  attention_ref::scores(q.data(), 1, n, F16Rows{k16.data(), 0}, 0, 1, order, &out, 1);
  return out;
}

TEST(AttentionReference, TiledOrderSumsSixteenLanesAsAnAvx512Tree) {
  // Lanes: 2^24, then fifteen 1s. Halves: 2^24 + 1 rounds to 2^24 (+ the 1 of lane 8 is
  // lost), seven 2s; quarters: 2^24 + 2 and three 4s; then (2^24 + 6) + 8.
  EXPECT_EQ(pinned_dot(16, F16DotOrder::kTiled), 16777216.0f + 14.0f);
}

TEST(AttentionReference, VectorOrderFoldsFourAccumulatorsFirst) {
  // Accumulators 0..3 fold as (a0 + a2) + (a1 + a3): lane 0 gets (2^24 + 1) + 2 = 2^24 + 2,
  // the other lanes 4; then the 16-lane tree: (2^24 + 2 + 4 + 8 + 16) + 32.
  EXPECT_EQ(pinned_dot(64, F16DotOrder::kVector), 16777216.0f + 62.0f);
}

TEST(AttentionReference, VectorOrderAddsTheTailInDouble) {
  // 64 + 2 elements: the tail products (1 each) go to a double after the lane sum.
  EXPECT_EQ(pinned_dot(66, F16DotOrder::kVector), 16777216.0f + 62.0f + 2.0f);
}

TEST(AttentionReference, MixWeightsValueRowsByPosition) {
  // Two positions, probabilities 0.25 and 0.75, two value columns.
  const std::vector<uint16_t> v = to_f16({1.0f, 2.0f, 3.0f, -4.0f});
  const float p[2] = {0.25f, 0.75f};
  for (F16DotOrder order : {F16DotOrder::kTiled, F16DotOrder::kVector}) {
    float out[2] = {};
    attention_ref::mix(p, 1, 2, F16Rows{v.data(), 2}, 0, 2, 0, 2, order, out, 2);
    EXPECT_EQ(out[0], 0.25f * 1.0f + 0.75f * 3.0f);
    EXPECT_EQ(out[1], 0.25f * 2.0f + 0.75f * -4.0f);
  }
}

enum class Values { kRandom, kLarge, kAllEqual };

float draw(std::mt19937& rng, Values kind) {
  switch (kind) {
    case Values::kRandom: return std::normal_distribution<float>(0.0f, 1.0f)(rng);
    case Values::kLarge: return std::uniform_real_distribution<float>(-60000.0f, 60000.0f)(rng);
    case Values::kAllEqual: return 0.375f;
  }
  return 0.0f;
}

// Floats that are f16 values (what the kernels expect for queries and probabilities).
std::vector<float> f16_values(size_t n, std::mt19937& rng, Values kind) {
  std::vector<float> x(n);
  for (float& value : x) value = round_f16(draw(rng, kind));
  return x;
}

std::vector<uint16_t> f16_rows(size_t n, std::mt19937& rng, Values kind) {
  std::vector<uint16_t> x(n);
  for (uint16_t& value : x) value = f32_to_f16(draw(rng, kind));
  return x;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

class AttentionIsa : public ::testing::TestWithParam<Isa> {};

TEST_P(AttentionIsa, ScoresMatchScalarReferenceBitForBit) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  const AttentionKernels& kern = attention_kernels(isa);
  std::mt19937 rng(7);
  int checked = 0;
  for (Values kind : {Values::kRandom, Values::kLarge, Values::kAllEqual}) {
    for (int head_dim : {1, 7, 16, 48, 64, 80, 100, 256}) {
      for (int n_q : {1, 3, 4, 7}) {
        for (auto [first, last] : {std::pair{0, 1}, std::pair{0, 3}, std::pair{5, 22}, std::pair{0, 64},
                                   std::pair{3, 68}, std::pair{61, 191}}) {
          for (F16DotOrder order : {F16DotOrder::kTiled, F16DotOrder::kVector}) {
            SCOPED_TRACE(::testing::Message() << "head_dim " << head_dim << " n_q " << n_q << " positions [" << first
                                              << ", " << last << ") order " << static_cast<int>(order));
            // Rows one element wider than a head, so no row starts aligned.
            const size_t stride = static_cast<size_t>(head_dim) + 1;
            const std::vector<uint16_t> k = f16_rows(stride * last + 1, rng, kind);
            const std::vector<float> q = f16_values(static_cast<size_t>(n_q) * head_dim, rng, kind);
            const size_t out_stride = static_cast<size_t>(last - first) + 2;
            std::vector<float> want(out_stride * n_q, -1.0f), got(out_stride * n_q, -1.0f);
            attention_ref::scores(q.data(), n_q, head_dim, F16Rows{k.data() + 1, stride}, first, last, order,
                                  want.data(), out_stride);
            kern.scores(q.data(), n_q, head_dim, F16Rows{k.data() + 1, stride}, first, last, order, got.data(),
                        out_stride);
            ASSERT_TRUE(same_bits(want, got));
            ++checked;
          }
        }
      }
    }
  }
  std::printf("[   INFO   ] %s: %d score blocks bit-identical\n", isa_name(isa), checked);
}

TEST_P(AttentionIsa, MixMatchesScalarReferenceBitForBit) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  const AttentionKernels& kern = attention_kernels(isa);
  std::mt19937 rng(11);
  int checked = 0;
  for (Values kind : {Values::kRandom, Values::kLarge, Values::kAllEqual}) {
    for (auto [head_dim, col, width] : {std::tuple{16, 0, 16}, std::tuple{5, 0, 5}, std::tuple{64, 16, 16},
                                        std::tuple{64, 0, 64}, std::tuple{40, 8, 27}, std::tuple{256, 240, 16},
                                        std::tuple{256, 0, 256}, std::tuple{112, 16, 96}}) {
      for (int n_q : {1, 3, 4, 7}) {
        for (auto [first, last] : {std::pair{0, 1}, std::pair{2, 5}, std::pair{0, 17}, std::pair{0, 64},
                                   std::pair{9, 140}, std::pair{63, 65}}) {
          for (F16DotOrder order : {F16DotOrder::kTiled, F16DotOrder::kVector}) {
            SCOPED_TRACE(::testing::Message() << "columns " << col << "+" << width << " of " << head_dim << " n_q "
                                              << n_q << " positions [" << first << ", " << last << ") order "
                                              << static_cast<int>(order));
            const size_t stride = static_cast<size_t>(head_dim) + 3;
            const std::vector<uint16_t> v = f16_rows(stride * last, rng, kind);
            const size_t p_stride = static_cast<size_t>(last - first) + 1;
            // Probabilities in [0, 1]; large values would only test overflow of the sums.
            std::vector<float> p = f16_values(p_stride * n_q, rng, Values::kRandom);
            for (float& x : p) x = round_f16(std::fabs(x) / 4.0f);
            const size_t out_stride = static_cast<size_t>(head_dim);
            std::vector<float> want(out_stride * n_q, -1.0f), got(out_stride * n_q, -1.0f);
            attention_ref::mix(p.data(), n_q, p_stride, F16Rows{v.data(), stride}, first, last, col, width, order,
                               want.data(), out_stride);
            kern.mix(p.data(), n_q, p_stride, F16Rows{v.data(), stride}, first, last, col, width, order, got.data(),
                     out_stride);
            ASSERT_TRUE(same_bits(want, got));
            ++checked;
          }
        }
      }
    }
  }
  std::printf("[   INFO   ] %s: %d weighted sums bit-identical\n", isa_name(isa), checked);
}

TEST_P(AttentionIsa, RoundingToF16MatchesScalarReferenceBitForBit) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  std::mt19937 rng(5);
  // Ties between f16 neighbours, the overflow edge, subnormals, signed zeros, NaN.
  std::vector<float> x = {1.0f + 1.0f / 2048.0f, 1.0f + 3.0f / 2048.0f, 65504.0f, 65519.0f, 65520.0f, -70000.0f,
                          1e-7f, -3e-8f, 2.98e-8f, 0.0f, -0.0f, std::nanf("")};
  for (int i = 0; i < 200; ++i) x.push_back(draw(rng, i % 2 ? Values::kRandom : Values::kLarge));
  for (size_t n : {size_t{1}, size_t{15}, size_t{16}, size_t{33}, x.size()}) {
    std::vector<float> want(n), got(n);
    attention_ref::round_to_f16(x.data(), want.data(), static_cast<int64_t>(n));
    attention_kernels(isa).round_to_f16(x.data(), got.data(), static_cast<int64_t>(n));
    EXPECT_TRUE(same_bits(want, got)) << n << " values";
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, AttentionIsa, ::testing::ValuesIn(kAllIsas),
                         [](const ::testing::TestParamInfo<Isa>& p) { return std::string(isa_name(p.param)); });

// softmax(q·k·scale)·v in double over the visible positions, from the same f16 cache.
std::vector<double> plain_attention(const std::vector<float>& q, int64_t n_tokens, const std::vector<int32_t>& positions,
                                    const std::vector<uint16_t>& k, const std::vector<uint16_t>& v,
                                    const AttentionShape& s) {
  const int group = s.n_head / s.n_head_kv;
  const size_t k_width = static_cast<size_t>(s.n_head_kv) * s.head_dim_k;
  const size_t v_width = static_cast<size_t>(s.n_head_kv) * s.head_dim_v;
  std::vector<double> out(static_cast<size_t>(n_tokens) * s.n_head * s.head_dim_v, 0.0);
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int pos = positions[t];
    const int first = s.window > 0 ? std::max(0, pos - s.window + 1) : 0;
    for (int h = 0; h < s.n_head; ++h) {
      const int kv = h / group;
      std::vector<double> w;
      for (int j = first; j <= pos; ++j) {
        double dot = 0.0;
        for (int d = 0; d < s.head_dim_k; ++d) {
          dot += static_cast<double>(q[(t * s.n_head + h) * s.head_dim_k + d]) *
                 f16_to_f32(k[j * k_width + kv * s.head_dim_k + d]);
        }
        w.push_back(dot * s.kq_scale);
      }
      const double max = *std::max_element(w.begin(), w.end());
      double sum = 0.0;
      for (double& x : w) sum += (x = std::exp(x - max));
      for (int j = first; j <= pos; ++j) {
        for (int d = 0; d < s.head_dim_v; ++d) {
          out[(t * s.n_head + h) * s.head_dim_v + d] +=
              w[j - first] / sum * f16_to_f32(v[j * v_width + kv * s.head_dim_v + d]);
        }
      }
    }
  }
  return out;
}

// Queries at the given positions over a cache filled up to the last one.
void expect_close_to_plain_attention(const AttentionShape& s, const std::vector<int32_t>& positions) {
  std::mt19937 rng(3);
  const int n_pos = *std::max_element(positions.begin(), positions.end()) + 1;
  const auto n_tokens = static_cast<int64_t>(positions.size());
  const size_t k_width = static_cast<size_t>(s.n_head_kv) * s.head_dim_k;
  const size_t v_width = static_cast<size_t>(s.n_head_kv) * s.head_dim_v;
  const std::vector<uint16_t> k = f16_rows(k_width * n_pos, rng, Values::kRandom);
  const std::vector<uint16_t> v = f16_rows(v_width * n_pos, rng, Values::kRandom);
  std::vector<float> q(static_cast<size_t>(n_tokens) * s.n_head * s.head_dim_k);
  for (float& x : q) x = draw(rng, Values::kRandom);
  std::vector<float> out(static_cast<size_t>(n_tokens) * s.n_head * s.head_dim_v, -1.0f);
  attention_f16(q.data(), n_tokens, positions.data(), F16Rows{k.data(), k_width}, F16Rows{v.data(), v_width}, s,
                out.data());
  const std::vector<double> want = plain_attention(q, n_tokens, positions, k, v, s);
  double worst = 0.0;
  for (size_t i = 0; i < out.size(); ++i) worst = std::max(worst, std::fabs(out[i] - want[i]));
  // f16 rounding of Q and of the probabilities: a few parts in 10^3 of values of size ~1.
  EXPECT_LT(worst, 2e-2);
}

TEST(AttentionF16, OneQueryMatchesPlainAttention) {
  expect_close_to_plain_attention({9, 3, 64, 64, 0.125f, 0}, {200});
  expect_close_to_plain_attention({4, 1, 256, 256, 0.0625f, 0}, {0});
  expect_close_to_plain_attention({4, 1, 256, 256, 0.0625f, 0}, {130});
}

TEST(AttentionF16, BatchMatchesPlainAttention) {
  expect_close_to_plain_attention({9, 3, 64, 64, 0.125f, 0}, {0, 1, 2, 3, 4, 5, 6, 7});
  expect_close_to_plain_attention({4, 2, 40, 24, 0.2f, 0}, {30, 31, 32, 33});
}

TEST(AttentionF16, SlidingWindowHidesOldPositions) {
  // Window 16 at positions past it, one query and a batch.
  expect_close_to_plain_attention({4, 2, 64, 64, 0.125f, 16}, {100});
  expect_close_to_plain_attention({4, 2, 64, 64, 0.125f, 16}, {14, 15, 16, 17, 40});
  expect_close_to_plain_attention({2, 1, 16, 16, 0.25f, 1}, {5, 6});  // sees only itself
}

TEST(AttentionF16, EqualKeysAverageTheValues) {
  // Identical keys give every visible position the same probability (1/4, exact in f16).
  const AttentionShape s{2, 1, 16, 16, 1.0f, 0};
  const std::vector<uint16_t> k(4 * 16, f32_to_f16(0.5f));
  std::vector<uint16_t> v(4 * 16);
  for (size_t i = 0; i < v.size(); ++i) v[i] = f32_to_f16(static_cast<float>(i % 7));
  const std::vector<float> q(2 * 16, 3.0f);
  const int32_t pos[1] = {3};
  std::vector<float> out(2 * 16);
  attention_f16(q.data(), 1, pos, F16Rows{k.data(), 16}, F16Rows{v.data(), 16}, s, out.data());
  for (int h = 0; h < 2; ++h) {
    for (int d = 0; d < 16; ++d) {
      float mean = 0.0f;
      for (int j = 0; j < 4; ++j) mean += static_cast<float>((j * 16 + d) % 7);
      EXPECT_EQ(out[h * 16 + d], mean / 4.0f);
    }
  }
}

}  // namespace
}  // namespace slm
