// The element-wise operations of ops.h: ggml's vector exp against libm, the scalar softmax,
// GeGLU, SwiGLU and RMSNorm against their formulas, and every ISA family's dispatched
// kernels (softmax, SwiGLU, GeGLU, f16 rows) against the scalar ones bit for bit, on hostile inputs (the ±10 edges of the GELU table, NaN, infinities,
// f16 subnormals and overflow, lengths that are not a multiple of a SIMD width).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/fp16.h"
#include "kernels/ops.h"
#include "kernels/ops_ref.h"

namespace slm {
namespace {

// Floats of every kind an activation can hold, gate-like values around the table's edges
// included.
std::vector<float> hostile_floats(size_t n, std::mt19937& rng) {
  const float specials[] = {0.0f,   -0.0f,  10.0f,     -10.0f, 9.999f, -9.999f, 10.001f, -10.001f,
                            1e-8f,  -6e-8f, 65504.0f,  65520.0f, -7e5f, 3.0e-5f, 1.0f,   -1.0f,
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN()};
  std::normal_distribution<float> normal(0.0f, 4.0f);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    switch (rng() % 4) {
      case 0: x[i] = specials[rng() % std::size(specials)]; break;
      case 1: x[i] = std::bit_cast<float>(static_cast<uint32_t>(rng())); break;  // any bit pattern
      default: x[i] = normal(rng); break;
    }
  }
  return x;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(Ops, GegluFollowsTheF16Table) {
  const float gate[] = {0.0f, 1.0f, -1.0f, 3.0f, 10.0f, 12.5f, -10.0f, -30.0f};
  const float up[] = {2.0f, 2.0f, 2.0f, 1.0f, 1.0f, 1.0f, 5.0f, 5.0f};
  float y[8];
  ops_kernels(Isa::kScalar).geglu(gate, up, y, 8);
  EXPECT_EQ(y[0], 0.0f);
  // gelu_tanh(1) = 0.841192, rounded to f16 (ulp 2^-11 near 1).
  EXPECT_NEAR(y[1], 2.0f * 0.841192f, 2.0f * 0.0005f);
  EXPECT_NEAR(y[2], 2.0f * -0.158808f, 2.0f * 0.0001f);
  EXPECT_NEAR(y[3], 2.996363f, 0.002f);
  EXPECT_EQ(y[4], 10.0f);  // from 10 on GELU is x itself
  EXPECT_EQ(y[5], 12.5f);
  EXPECT_EQ(y[6], 0.0f);  // up to -10 it is 0
  EXPECT_EQ(y[7], 0.0f);
}

TEST(Ops, ExpPolyIsWithinTwoUlpsOfExp) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> in(-87.0f, 88.0f);
  for (int i = 0; i < 100000; ++i) {
    const float x = in(rng);
    const float want = std::exp(x);
    EXPECT_NEAR(ops_ref::exp_poly(x), want, 2.0f * (std::nextafter(want, INFINITY) - want)) << x;
  }
  EXPECT_EQ(ops_ref::exp_poly(0.0f), 1.0f);
  EXPECT_EQ(ops_ref::exp_poly(-200.0f), 0.0f);
  EXPECT_EQ(ops_ref::exp_poly(200.0f), INFINITY);
  EXPECT_GT(ops_ref::exp_poly(-100.0f), 0.0f);  // a subnormal, not flushed
  EXPECT_NEAR(ops_ref::exp_poly(-100.0f), std::exp(-100.0f), 1e-44f);
  EXPECT_TRUE(std::isnan(ops_ref::exp_poly(NAN)));
}

// A row that starts inside a group of 16 cells is summed as ggml sums the whole row, whose
// masked cells add exact zeros: the same as the row padded with -inf at phase 0.
TEST(Ops, SoftmaxPhaseIsMaskedPadding) {
  std::mt19937 rng(17);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (int phase : {1, 7, 15}) {
    std::vector<float> row(37), padded(static_cast<size_t>(phase), -INFINITY);
    for (float& v : row) v = normal(rng);
    padded.insert(padded.end(), row.begin(), row.end());
    softmax(row.data(), static_cast<int64_t>(row.size()), phase);
    softmax(padded.data(), static_cast<int64_t>(padded.size()), 0);
    EXPECT_TRUE(same_bits(row, std::vector<float>(padded.begin() + phase, padded.end()))) << phase;
  }
}

TEST(Ops, SoftmaxSumsToOne) {
  std::vector<float> x = {1.0f, 2.0f, 3.0f, -INFINITY, 0.5f};
  for (int i = 0; i < 40; ++i) x.push_back(static_cast<float>(i % 7) - 3.0f);
  softmax(x.data(), static_cast<int64_t>(x.size()), 3);
  double sum = 0.0;
  for (float v : x) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_EQ(x[3], 0.0f);
  EXPECT_NEAR(x[2] / x[1], std::exp(1.0f), 1e-5);
}

TEST(Ops, SwigluAndRmsNormFollowTheirFormulas) {
  std::vector<float> gate(37), up(37), y(37);
  for (size_t i = 0; i < gate.size(); ++i) {
    gate[i] = static_cast<float>(i) * 0.7f - 12.0f;
    up[i] = 1.0f + static_cast<float>(i % 3);
  }
  swiglu(gate.data(), up.data(), y.data(), 37);  // 32 elements with exp_poly, 5 with libm's exp
  for (size_t i = 0; i < gate.size(); ++i) {
    const double silu = gate[i] / (1.0 + std::exp(-static_cast<double>(gate[i])));
    EXPECT_NEAR(y[i], silu * up[i], 1e-6 * (1.0 + std::fabs(silu * up[i]))) << i;
  }
  const float x[] = {1.0f, -2.0f, 3.0f, 4.0f};
  const float w[] = {1.0f, 1.0f, 0.5f, 2.0f};
  float out[4];
  rms_norm(x, w, out, 4, 1e-6f);
  const double scale = 1.0 / std::sqrt((1.0 + 4.0 + 9.0 + 16.0) / 4.0 + 1e-6);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out[i], x[i] * scale * w[i], 1e-6) << i;
}

TEST(Ops, EveryIsaMatchesTheScalarKernelsBitForBit) {
  std::mt19937 rng(99);
  const OpsKernels& scalar = ops_kernels(Isa::kScalar);
  std::string skipped;
  for (Isa isa : kAllIsas) {
    if (!cpu_supports(isa)) {
      skipped += std::string(" ") + isa_name(isa);
      continue;
    }
    const OpsKernels& k = ops_kernels(isa);
    EXPECT_EQ(k.isa, isa);
    for (size_t n : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{16}, size_t{64}, size_t{1001}}) {
      const std::vector<float> gate = hostile_floats(n, rng);
      const std::vector<float> up = hostile_floats(n, rng);
      std::vector<float> want(n), got(n);
      scalar.geglu(gate.data(), up.data(), want.data(), static_cast<int64_t>(n));
      k.geglu(gate.data(), up.data(), got.data(), static_cast<int64_t>(n));
      EXPECT_TRUE(same_bits(want, got)) << isa_name(isa) << " geglu n=" << n;
      scalar.swiglu(gate.data(), up.data(), want.data(), static_cast<int64_t>(n));
      k.swiglu(gate.data(), up.data(), got.data(), static_cast<int64_t>(n));
      EXPECT_TRUE(same_bits(want, got)) << isa_name(isa) << " swiglu n=" << n;
      // Softmax rows as attention makes them: scores with masked (-inf) positions.
      std::vector<float> scores = hostile_floats(n, rng), want_p, got_p;
      for (float& v : scores) v = std::isfinite(v) ? std::fmod(v, 200.0f) : -INFINITY;
      for (int phase : {0, 5, 15}) {
        want_p = got_p = scores;
        scalar.softmax(want_p.data(), static_cast<int64_t>(n), phase);
        k.softmax(got_p.data(), static_cast<int64_t>(n), phase);
        EXPECT_TRUE(same_bits(want_p, got_p)) << isa_name(isa) << " softmax n=" << n << " phase " << phase;
      }
      std::vector<uint16_t> want16(n), got16(n);
      scalar.f32_to_f16(gate.data(), want16.data(), static_cast<int64_t>(n));
      k.f32_to_f16(gate.data(), got16.data(), static_cast<int64_t>(n));
      EXPECT_EQ(want16, got16) << isa_name(isa) << " f16 n=" << n;
    }
    // Every f16 value (NaN payloads, subnormals and infinities included), and a tail.
    std::vector<uint16_t> every(65536 + 5);
    for (size_t i = 0; i < every.size(); ++i) every[i] = static_cast<uint16_t>(i);
    std::vector<float> want32(every.size()), got32(every.size());
    scalar.f16_to_f32(every.data(), want32.data(), static_cast<int64_t>(every.size()));
    k.f16_to_f32(every.data(), got32.data(), static_cast<int64_t>(every.size()));
    EXPECT_TRUE(same_bits(want32, got32)) << isa_name(isa) << " f16 to f32";
  }
  if (!skipped.empty()) std::printf("[   INFO   ] skipped (this CPU lacks them):%s\n", skipped.c_str());
}

}  // namespace
}  // namespace slm
