// Scalar reference dot products: one function per (weight, activation) type pair, each
// written to reproduce a float arithmetic of ggml's CPU code exactly (this file is
// compiled with -ffp-contract=off: the only fused multiply-adds are explicit std::fma):
//   * 32-element formats: ggml's generic code, an int sum over the block, then one float
//     update per block with the scales multiplied in ggml's order (it differs between types).
//     Q4_1 and Q5_1 follow llama.cpp's x86 build instead (dot_min_q8_1_x86).
//   * K-quants: ggml's x86 (AVX2) code, see x86_lane below; mins enter through the Q8_K
//     bsums. IQ4_XS: see dot_iq4_xs_q8_K.
//   * Float types: each product rounded to float, summed in double.
#include "kernels/vec_dot_ref.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"
#include "kernels/quant_ref_rows.h"
#include "slm/quant.h"

namespace slm::vec_dot_ref {

namespace {

using quant_ref::load_block;
using quant_ref::store_block;

constexpr int kHalf = kQK / 2;

float f16(uint16_t h) { return f16_to_f32(h); }

// Bit e of a Q5_0/Q5_1 qh field, moved to bit 4.
int q5_high_bit(const uint8_t* qh, int e) {
  uint32_t bits;
  std::memcpy(&bits, qh, sizeof(bits));
  return static_cast<int>(((bits >> e) & 1u) << 4);
}

// The K-quant dot products follow llama.cpp's x86 (AVX2) build, whose outputs the
// reference files hold. Its integer sums live in the 8 int32 lanes of a 256-bit register,
// and byte products pair up so that lane k holds elements 4k..4k+3 of every 32 elements.
// Each super-block scales them into 8 float lanes with one fused multiply-add per lane;
// the lanes are added up only after the last super-block.
constexpr int x86_lane(int e) { return (e % 32) / 4; }

// lanes[l] = d · sums[l] + lanes[l], fused, for each lane.
template <int kLanes = 8>
void add_scaled_lanes(float* lanes, float d, const int* sums) {
  for (int l = 0; l < kLanes; ++l) lanes[l] = std::fma(d, static_cast<float>(sums[l]), lanes[l]);
}

// The 8 lanes summed as llama.cpp's hsum_float_8 does: halves, then pairs, then the last two.
float sum_lanes_x86(const float* lanes) {
  const float r0 = lanes[0] + lanes[4], r1 = lanes[1] + lanes[5], r2 = lanes[2] + lanes[6], r3 = lanes[3] + lanes[7];
  return (r0 + r2) + (r1 + r3);
}

// Q4_K/Q5_K: min of 32-element sub-block j times the sum of its activation levels.
int k4_min_product(const uint8_t* scales, const block_q8_K& y, int j) {
  return unpack_scale_min_k4(scales, j).min * (y.bsums[2 * j] + y.bsums[2 * j + 1]);
}

// Q4_1 and Q5_1 as llama.cpp's x86 build computes them (its only path for these types,
// prompts and decoding alike): 8 integer lanes per block, lane l = elements 4l..4l+3; each
// float lane grows by a fused (d_w·d_a)·lane per block; the min terms m·s are fused into
// one running sum in block order; the lanes are summed as sum_lanes_x86, then the mins.
template <class Block, class Level>
float dot_min_q8_1_x86(int64_t n, const uint8_t* w, const uint8_t* a, Level level) {
  float lanes[8] = {};
  float mins = 0.0f;
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const auto x = load_block<Block>(w, ib);
    const auto y = load_block<block_q8_1>(a, ib);
    // The min m meets the activations through s = d_a · Σ q_a (stored as f16).
    mins = std::fma(f16(x.m), f16(y.s), mins);
    int lane_sums[8] = {};
    for (int e = 0; e < kQK; ++e) lane_sums[e / 4] += level(x, e) * y.qs[e];
    const float d = f16(x.d) * f16(y.d);
    for (int l = 0; l < 8; ++l) lanes[l] = std::fma(d, static_cast<float>(lane_sums[l]), lanes[l]);
  }
  return sum_lanes_x86(lanes) + mins;
}

template <typename Load>
float dot_float_type(int64_t n, const uint8_t* w, const uint8_t* a, Load load) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(load(w, i) * load(a, i));
  return static_cast<float>(sum);
}

// Round half to even for |v| < 2^22 (the FPU's default rounding does the work).
float round_half_even(float v) {
  constexpr float kShift = 12582912.0f;  // 1.5 * 2^23
  return (v + kShift) - kShift;
}

// The x86 Q8_0/Q8_1 rule: d = amax / 127 and q = round_half_even(x * (127 / amax)).
float quantize_q8_levels_x86(const float* x, int8_t* qs) {
  float amax = 0.0f;
  for (int e = 0; e < kQK; ++e) amax = std::max(amax, std::fabs(x[e]));
  const float d = amax / 127.0f;
  const float inverse = amax != 0.0f ? 127.0f / amax : 0.0f;
  for (int e = 0; e < kQK; ++e) qs[e] = static_cast<int8_t>(round_half_even(x[e] * inverse));
  return d;
}

}  // namespace

float dot_f32_f32(int64_t n, const uint8_t* w, const uint8_t* a) {
  return dot_float_type(n, w, a, [](const uint8_t* p, int64_t i) { return load_block<float>(p, i); });
}

float dot_f16_f16(int64_t n, const uint8_t* w, const uint8_t* a) {
  return dot_float_type(n, w, a, [](const uint8_t* p, int64_t i) { return f16(load_block<uint16_t>(p, i)); });
}

float dot_bf16_bf16(int64_t n, const uint8_t* w, const uint8_t* a) {
  return dot_float_type(n, w, a,
                        [](const uint8_t* p, int64_t i) { return bf16_to_f32(load_block<uint16_t>(p, i)); });
}

float dot_q4_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  float sum = 0.0f;
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const auto x = load_block<block_q4_0>(w, ib);
    const auto y = load_block<block_q8_0>(a, ib);
    int sumi = 0;
    for (int j = 0; j < kHalf; ++j) {
      sumi += ((x.qs[j] & 0xF) - 8) * y.qs[j];
      sumi += ((x.qs[j] >> 4) - 8) * y.qs[j + kHalf];
    }
    sum += static_cast<float>(sumi) * f16(x.d) * f16(y.d);
  }
  return sum;
}

float dot_q4_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a) {
  return dot_min_q8_1_x86<block_q4_1>(n, w, a, [](const block_q4_1& x, int e) {
    return e < kHalf ? x.qs[e] & 0xF : x.qs[e - kHalf] >> 4;
  });
}

float dot_q5_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  float sum = 0.0f;
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const auto x = load_block<block_q5_0>(w, ib);
    const auto y = load_block<block_q8_0>(a, ib);
    int sumi = 0;
    for (int j = 0; j < kHalf; ++j) {
      sumi += (((x.qs[j] & 0xF) | q5_high_bit(x.qh, j)) - 16) * y.qs[j];
      sumi += (((x.qs[j] >> 4) | q5_high_bit(x.qh, j + kHalf)) - 16) * y.qs[j + kHalf];
    }
    sum += (f16(x.d) * f16(y.d)) * static_cast<float>(sumi);
  }
  return sum;
}

float dot_q5_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a) {
  return dot_min_q8_1_x86<block_q5_1>(n, w, a, [](const block_q5_1& x, int e) {
    return (e < kHalf ? x.qs[e] & 0xF : x.qs[e - kHalf] >> 4) | q5_high_bit(x.qh, e);
  });
}

float dot_q8_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  float sum = 0.0f;
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const auto x = load_block<block_q8_0>(w, ib);
    const auto y = load_block<block_q8_0>(a, ib);
    int sumi = 0;
    for (int e = 0; e < kQK; ++e) sumi += x.qs[e] * y.qs[e];
    sum += static_cast<float>(sumi) * (f16(x.d) * f16(y.d));
  }
  return sum;
}

float dot_iq4_nl_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  float sum = 0.0f;
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const auto x = load_block<block_iq4_nl>(w, ib);
    const auto y = load_block<block_q8_0>(a, ib);
    int sumi = 0;
    for (int j = 0; j < kHalf; ++j) {
      sumi += kIq4nlValues[x.qs[j] & 0xF] * y.qs[j];
      sumi += kIq4nlValues[x.qs[j] >> 4] * y.qs[j + kHalf];
    }
    sum += (f16(y.d) * f16(x.d)) * static_cast<float>(sumi);
  }
  return sum;
}

// ---- K-quants against Q8_K (256-element super-blocks), in llama.cpp's x86 order.

float dot_q2_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  float lanes[8] = {};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto x = load_block<block_q2_K>(w, i);
    const auto y = load_block<block_q8_K>(a, i);
    // The mins enter the same lanes first: lane l takes the 16-element sub-blocks 2l and
    // 2l+1 (min · Σ q_a each), scaled by -dmin.
    int min_sums[8];
    for (int l = 0; l < 8; ++l) {
      min_sums[l] = (x.scales[2 * l] >> 4) * y.bsums[2 * l] + (x.scales[2 * l + 1] >> 4) * y.bsums[2 * l + 1];
    }
    add_scaled_lanes(lanes, -y.d * f16(x.dmin), min_sums);
    int lane_sums[8] = {};
    for (int e = 0; e < kQK_K; ++e) {
      lane_sums[x86_lane(e)] += (x.scales[e / 16] & 0xF) * (two_bit_plane_level(x.qs, e) * y.qs[e]);
    }
    add_scaled_lanes(lanes, y.d * f16(x.d), lane_sums);
  }
  return sum_lanes_x86(lanes);
}

float dot_q3_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  float lanes[8] = {};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto x = load_block<block_q3_K>(w, i);
    const auto y = load_block<block_q8_K>(a, i);
    int lane_sums[8] = {};
    for (int e = 0; e < kQK_K; ++e) {
      const bool high = ((x.hmask[e % 32] >> (e / 32)) & 1) != 0;  // bit 4·half + plane
      const int q = two_bit_plane_level(x.qs, e) - (high ? 0 : 4);
      lane_sums[x86_lane(e)] += q3_k_scale(x.scales, e / 16) * (q * y.qs[e]);
    }
    add_scaled_lanes(lanes, y.d * f16(x.d), lane_sums);
  }
  return sum_lanes_x86(lanes);
}

float dot_q4_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  float lanes[8] = {};
  float min_lanes[4] = {};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto x = load_block<block_q4_K>(w, i);
    const auto y = load_block<block_q8_K>(a, i);
    int lane_sums[8] = {};
    for (int e = 0; e < kQK_K; ++e) {
      lane_sums[x86_lane(e)] += unpack_scale_min_k4(x.scales, e / 32).scale * (k4_nibble(x.qs, e) * y.qs[e]);
    }
    add_scaled_lanes(lanes, y.d * f16(x.d), lane_sums);
    int min_sums[4];
    for (int l = 0; l < 4; ++l) min_sums[l] = k4_min_product(x.scales, y, 2 * l) + k4_min_product(x.scales, y, 2 * l + 1);
    add_scaled_lanes<4>(min_lanes, -y.d * f16(x.dmin), min_sums);
  }
  return sum_lanes_x86(lanes) + ((min_lanes[0] + min_lanes[2]) + (min_lanes[1] + min_lanes[3]));
}

// As Q4_K, but the mins of a super-block are summed to one integer and kept in a single
// float: sum += (-dmin) · Σ, fused (llama.cpp's compiler contracts that statement).
float dot_q5_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  float lanes[8] = {};
  float min_sum = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto x = load_block<block_q5_K>(w, i);
    const auto y = load_block<block_q8_K>(a, i);
    int lane_sums[8] = {};
    for (int e = 0; e < kQK_K; ++e) {
      // The Q4_K nibble plus the fifth bit: qh[e % 32], bit e / 32.
      const int level = k4_nibble(x.qs, e) | (((x.qh[e % 32] >> (e / 32)) & 1) << 4);
      lane_sums[x86_lane(e)] += unpack_scale_min_k4(x.scales, e / 32).scale * (level * y.qs[e]);
    }
    add_scaled_lanes(lanes, y.d * f16(x.d), lane_sums);
    int mins = 0;
    for (int j = 0; j < 8; ++j) mins += k4_min_product(x.scales, y, j);
    min_sum = std::fma(-y.d * f16(x.dmin), static_cast<float>(mins), min_sum);
  }
  return sum_lanes_x86(lanes) + min_sum;
}

float dot_q6_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  float lanes[8] = {};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto x = load_block<block_q6_K>(w, i);
    const auto y = load_block<block_q8_K>(a, i);
    int lane_sums[8] = {};
    for (int e = 0; e < kQK_K; ++e) {
      lane_sums[x86_lane(e)] += x.scales[e / 16] * (q6_k_level(x, e) * y.qs[e]);
    }
    // The -32 offset of the levels leaves each lane through two bsums: lane l loses
    // 32 · (bsum 2l · scale 2l + bsum 2l+1 · scale 2l+1).
    for (int l = 0; l < 8; ++l) {
      lane_sums[l] -= 32 * (y.bsums[2 * l] * x.scales[2 * l] + y.bsums[2 * l + 1] * x.scales[2 * l + 1]);
    }
    add_scaled_lanes(lanes, y.d * f16(x.d), lane_sums);
  }
  return sum_lanes_x86(lanes);
}

// Not the 8 lanes of the K-quants: llama.cpp's outputs on the reference files (rows of one
// super-block) are those of one integer per super-block scaled by d = d_w · d_a (179 of
// 206 prompt positions bit-equal, against 1 with ggml's AVX2 lanes). Super-blocks are
// added with a fused multiply-add, as a compiler contracting `sum += d * total` does.
float dot_iq4_xs_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto x = load_block<block_iq4_xs>(w, i);
    const auto y = load_block<block_q8_K>(a, i);
    int total = 0;
    for (int ib = 0; ib < kQK_K / 32; ++ib) {
      // Sub-block ib: the low nibbles of its 16 bytes, then the high ones.
      const uint8_t* qs = x.qs + 16 * ib;
      const int8_t* q8 = y.qs + 32 * ib;
      int sumi = 0;
      for (int j = 0; j < 16; ++j) sumi += q8[j] * kIq4nlValues[qs[j] & 0xF] + q8[j + 16] * kIq4nlValues[qs[j] >> 4];
      total += iq4_xs_scale(x, ib) * sumi;
    }
    sum = std::fma(f16(x.d) * y.d, static_cast<float>(total), sum);
  }
  return sum;
}

// ---- Activation converters.

void activations_f32(const float* x, uint8_t* a, int64_t n) { quantize_row(GgmlType::F32, x, a, n); }
void activations_f16(const float* x, uint8_t* a, int64_t n) { quantize_row(GgmlType::F16, x, a, n); }
void activations_bf16(const float* x, uint8_t* a, int64_t n) { quantize_row(GgmlType::BF16, x, a, n); }
void activations_q8_K(const float* x, uint8_t* a, int64_t n) { quantize_row(GgmlType::Q8_K, x, a, n); }

void activations_q8_0(const float* x, uint8_t* a, int64_t n) {
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    block_q8_0 block{};
    block.d = f32_to_f16(quantize_q8_levels_x86(x + ib * kQK, block.qs));
    store_block(block, a, ib);
  }
}

void activations_q8_1(const float* x, uint8_t* a, int64_t n) {
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    block_q8_1 block{};
    const float d = quantize_q8_levels_x86(x + ib * kQK, block.qs);
    int sum = 0;
    for (int e = 0; e < kQK; ++e) sum += block.qs[e];
    block.d = f32_to_f16(d);
    block.s = f32_to_f16(d * static_cast<float>(sum));
    store_block(block, a, ib);
  }
}

}  // namespace slm::vec_dot_ref
