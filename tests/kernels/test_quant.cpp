// The public API of slm/quant.h: supported types, argument errors, and the activation
// quantizers (Q8_0, Q8_1, Q8_K), whose output must equal ggml's bit for bit because
// dot-product kernels are checked against llama.cpp. Expected blocks are re-derived
// here from ggml's rules as ARCH_FACTS §1.4 states them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"
#include "slm/error.h"
#include "slm/ggml_type.h"
#include "slm/quant.h"

namespace slm {
namespace {

std::vector<uint8_t> quantize(GgmlType type, const std::vector<float>& x) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  std::vector<uint8_t> out(x.size() / info.block_elems * info.block_bytes);
  quantize_row(type, x.data(), out.data(), static_cast<int64_t>(x.size()));
  return out;
}

std::vector<float> dequantize(GgmlType type, const std::vector<uint8_t>& bytes, size_t n) {
  std::vector<float> out(n);
  dequantize_row(type, bytes.data(), out.data(), static_cast<int64_t>(n));
  return out;
}

template <typename Block>
Block block_at(const std::vector<uint8_t>& bytes, size_t index) {
  Block block;
  std::memcpy(&block, bytes.data() + index * sizeof(Block), sizeof(Block));
  return block;
}

// Activation-like data: Gaussian rows with some blocks scaled, zeroed or given outliers,
// plus exact ties for the rounding rules (see TieBlocks below).
std::vector<float> activations(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = normal(rng);
  for (size_t block = 0; block < n / 32; ++block) {
    float* b = x.data() + block * 32;
    switch (block % 5) {
      case 1: for (int e = 0; e < 32; ++e) b[e] *= 1e-5f; break;   // scale lands in f16 subnormals
      case 2: b[rng() % 32] = (rng() % 2 != 0) ? 300.0f : -300.0f; break;
      case 3: std::fill(b, b + 32, 0.0f); break;
      default: break;
    }
  }
  return x;
}

TEST(QuantApi, SupportedTypes) {
  const GgmlType supported[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q4_0,   GgmlType::Q4_1,
                                GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::Q8_1,   GgmlType::Q2_K,
                                GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K,   GgmlType::Q8_K,
                                GgmlType::IQ4_NL, GgmlType::IQ4_XS};
  for (GgmlType type : supported) {
    EXPECT_TRUE(can_dequantize(type)) << ggml_type_name(type);
    EXPECT_TRUE(can_quantize(type)) << ggml_type_name(type);
  }
  for (GgmlType type : {GgmlType::IQ2_XXS, GgmlType::IQ1_S, GgmlType::TQ1_0, GgmlType::MXFP4, GgmlType::I8,
                        GgmlType::F64, static_cast<GgmlType>(4), static_cast<GgmlType>(1000)}) {
    EXPECT_FALSE(can_dequantize(type)) << static_cast<uint32_t>(type);
    EXPECT_FALSE(can_quantize(type)) << static_cast<uint32_t>(type);
  }
}

TEST(QuantApi, RejectsCountsThatAreNotWholeBlocks) {
  std::vector<uint8_t> bytes(4096);
  std::vector<float> floats(1024);
  EXPECT_THROW(dequantize_row(GgmlType::Q4_0, bytes.data(), floats.data(), 33), Error);
  EXPECT_THROW(dequantize_row(GgmlType::Q4_K, bytes.data(), floats.data(), 32), Error);
  EXPECT_THROW(dequantize_row(GgmlType::Q8_0, bytes.data(), floats.data(), -32), Error);
  EXPECT_THROW(dequantize_row(GgmlType::F16, bytes.data(), floats.data(), -1), Error);
  EXPECT_THROW(quantize_row(GgmlType::Q6_K, floats.data(), bytes.data(), 255), Error);
  EXPECT_THROW(quantize_row(GgmlType::IQ4_NL, floats.data(), bytes.data(), 48), Error);
  EXPECT_THROW(quantize_row(GgmlType::Q2_K, floats.data(), bytes.data(), 128), Error);
  EXPECT_THROW(quantize_row(GgmlType::IQ4_XS, floats.data(), bytes.data(), 32), Error);
  try {
    quantize_row(GgmlType::Q5_K, floats.data(), bytes.data(), 300);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Q5_K"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("256"), std::string::npos) << e.what();
  }
}

TEST(QuantApi, RejectsUnsupportedTypes) {
  std::vector<uint8_t> bytes(4096);
  std::vector<float> floats(1024);
  EXPECT_THROW(dequantize_row(GgmlType::IQ2_XXS, bytes.data(), floats.data(), 256), Error);
  EXPECT_THROW(dequantize_row(GgmlType::TQ2_0, bytes.data(), floats.data(), 256), Error);
  EXPECT_THROW(dequantize_row(static_cast<GgmlType>(4), bytes.data(), floats.data(), 32), Error);
  EXPECT_THROW(quantize_row(GgmlType::IQ2_XXS, floats.data(), bytes.data(), 256), Error);
  EXPECT_THROW(quantize_row(GgmlType::TQ2_0, floats.data(), bytes.data(), 256), Error);
  EXPECT_THROW(quantize_row(static_cast<GgmlType>(1000), floats.data(), bytes.data(), 32), Error);
  try {
    dequantize_row(GgmlType::IQ2_XXS, bytes.data(), floats.data(), 256);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("IQ2_XXS"), std::string::npos) << e.what();
  }
}

TEST(QuantApi, ZeroElementsTouchNothing) {
  EXPECT_NO_THROW(dequantize_row(GgmlType::Q4_K, nullptr, nullptr, 0));
  EXPECT_NO_THROW(dequantize_row(GgmlType::F32, nullptr, nullptr, 0));
  EXPECT_NO_THROW(quantize_row(GgmlType::Q8_0, nullptr, nullptr, 0));
  EXPECT_NO_THROW(quantize_row(GgmlType::F32, nullptr, nullptr, 0));
}

// Q8_0: d = max|x| / 127 in f32, q = x * (1 / d) rounded half away from zero; d stored as f16.
void expect_q8_0_rule(const float* x, const int8_t* qs, uint16_t d_bits, const std::string& where) {
  float amax = 0.0f;
  for (int e = 0; e < 32; ++e) amax = std::max(amax, std::fabs(x[e]));
  const float d = amax / 127.0f;
  const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
  ASSERT_EQ(d_bits, f32_to_f16(d)) << where;
  for (int e = 0; e < 32; ++e) ASSERT_EQ(qs[e], static_cast<int>(std::round(x[e] * inverse))) << where << " e " << e;
}

TEST(QuantActivations, Q8_0FollowsGgmlRule) {
  const std::vector<float> x = activations(32 * 200, 1);
  const std::vector<uint8_t> bytes = quantize(GgmlType::Q8_0, x);
  for (size_t i = 0; i < x.size() / 32; ++i) {
    const auto block = block_at<block_q8_0>(bytes, i);
    expect_q8_0_rule(x.data() + 32 * i, block.qs, block.d, "block " + std::to_string(i));
  }
}

TEST(QuantActivations, Q8_1MatchesQ8_0AndStoresScaledSum) {
  const std::vector<float> x = activations(32 * 200, 2);
  const std::vector<uint8_t> bytes = quantize(GgmlType::Q8_1, x);
  for (size_t i = 0; i < x.size() / 32; ++i) {
    const auto block = block_at<block_q8_1>(bytes, i);
    const float* xb = x.data() + 32 * i;
    expect_q8_0_rule(xb, block.qs, block.d, "block " + std::to_string(i));
    float amax = 0.0f;
    for (int e = 0; e < 32; ++e) amax = std::max(amax, std::fabs(xb[e]));
    int sum = 0;
    for (int e = 0; e < 32; ++e) sum += block.qs[e];
    // s = (sum q) * d with the f32 d, then stored as f16. Against the stored d it is off
    // by at most the two f16 roundings: relative 2^-11 each when normal, 2^-25 absolute
    // (per unit of sum for d) when subnormal.
    ASSERT_EQ(block.s, f32_to_f16(static_cast<float>(sum) * (amax / 127.0f))) << i;
    const double from_stored_d = static_cast<double>(f16_to_f32(block.d)) * sum;
    EXPECT_LE(std::fabs(f16_to_f32(block.s) - from_stored_d),
              std::ldexp(std::fabs(from_stored_d), -10) + std::ldexp(std::abs(sum) + 1, -25))
        << i;
  }
}

// Q8_K: the signed element of largest magnitude `max` (the first on ties) maps to -127:
// iscale = -127 / max, q = min(127, round-half-even(iscale * x)), d = 1 / iscale in f32,
// bsums[k] = sum of q over elements 16k..16k+15. All-zero blocks are all zero.
TEST(QuantActivations, Q8_KFollowsGgmlRule) {
  const std::vector<float> x = activations(256 * 40, 3);
  const std::vector<uint8_t> bytes = quantize(GgmlType::Q8_K, x);
  for (size_t i = 0; i < x.size() / 256; ++i) {
    const auto block = block_at<block_q8_K>(bytes, i);
    const float* xb = x.data() + 256 * i;
    float max = 0.0f;
    for (int e = 0; e < 256; ++e) {
      if (std::fabs(xb[e]) > std::fabs(max)) max = xb[e];
    }
    if (max == 0.0f) {
      EXPECT_EQ(block.d, 0.0f);
      for (int e = 0; e < 256; ++e) ASSERT_EQ(block.qs[e], 0);
      for (int k = 0; k < 16; ++k) ASSERT_EQ(block.bsums[k], 0);
      continue;
    }
    const float iscale = -127.0f / max;
    ASSERT_EQ(block.d, 1.0f / iscale) << i;
    for (int e = 0; e < 256; ++e) {
      ASSERT_EQ(block.qs[e], std::min(127, static_cast<int>(std::nearbyint(iscale * xb[e])))) << i << " e " << e;
    }
    for (int k = 0; k < 16; ++k) {
      int sum = 0;
      for (int e = 16 * k; e < 16 * k + 16; ++e) sum += block.qs[e];
      ASSERT_EQ(block.bsums[k], sum) << i;
    }
  }
}

// Exact .5 products: Q8_0 rounds them away from zero, Q8_K to even; Q8_K maps a
// positive max to -127 (negative d).
TEST(QuantActivations, TieBlocks) {
  std::vector<float> x(256, 0.0f);
  x[0] = 127.0f;  // Q8_0: d = 1. Q8_K: max = 127, iscale = -1, d = -1.
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 0.5f;
  x[4] = 3.5f;
  const auto q8_0 = block_at<block_q8_0>(quantize(GgmlType::Q8_0, x), 0);
  EXPECT_EQ(q8_0.d, 0x3C00);
  EXPECT_EQ(q8_0.qs[0], 127);
  EXPECT_EQ(q8_0.qs[1], 3);
  EXPECT_EQ(q8_0.qs[2], -3);
  EXPECT_EQ(q8_0.qs[3], 1);
  EXPECT_EQ(q8_0.qs[4], 4);
  const auto q8_k = block_at<block_q8_K>(quantize(GgmlType::Q8_K, x), 0);
  EXPECT_EQ(q8_k.d, -1.0f);
  EXPECT_EQ(q8_k.qs[0], -127);
  EXPECT_EQ(q8_k.qs[1], -2);
  EXPECT_EQ(q8_k.qs[2], 2);
  EXPECT_EQ(q8_k.qs[3], 0);
  EXPECT_EQ(q8_k.qs[4], -4);
  EXPECT_EQ(q8_k.bsums[0], -127 - 2 + 2 + 0 - 4);
}

// Re-quantizing Q8_0's own output reproduces the same bytes: the max element lands on
// level 127 exactly, so d comes back unchanged and every level is recovered.
TEST(QuantActivations, Q8_0RequantizationIsStable) {
  const std::vector<float> x = activations(32 * 500, 4);
  const std::vector<uint8_t> first = quantize(GgmlType::Q8_0, x);
  const std::vector<uint8_t> second = quantize(GgmlType::Q8_0, dequantize(GgmlType::Q8_0, first, x.size()));
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace slm
