// Internal to the scalar reference (de)quantizers: the per-type block-row functions that
// quant_ref.cpp dispatches to, and helpers the implementation files share.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/fp16.h"

namespace slm::quant_ref {

// Blocks are copied in and out with memcpy: callers' buffers (file mappings, byte
// vectors) need not be aligned for the block structs, and no aliasing rules are bent.
template <typename Block>
Block load_block(const uint8_t* src, int64_t index) {
  Block block;
  std::memcpy(&block, src + index * static_cast<int64_t>(sizeof(Block)), sizeof(Block));
  return block;
}

template <typename Block>
void store_block(const Block& block, uint8_t* dst, int64_t index) {
  std::memcpy(dst + index * static_cast<int64_t>(sizeof(Block)), &block, sizeof(Block));
}

// Round half to even, the rounding ggml's K-quant and Q8_K code uses (not std::round,
// which rounds halves away from zero). Adding 1.5 * 2^23 leaves no fraction bits in the
// float, so the FPU's default round-to-nearest-even does the rounding; the subtraction
// is then exact. Valid for |v| < 2^22.
inline int nearest_int(float v) {
  constexpr float kShift = 12582912.0f;  // 1.5 * 2^23
  return static_cast<int>((v + kShift) - kShift);
}

// nearest_int of v clamped to [lowest, highest]: the level a quantizer stores for v. A
// NaN (inf - inf or 0 * inf from inputs near the float limits) takes the lowest level
// rather than reaching the float-to-int conversion, which is undefined for it: std::min
// passes the NaN on (its comparison is false) and std::max then returns `lowest`.
inline int nearest_level(float v, int lowest, int highest) {
  return nearest_int(std::max(static_cast<float>(lowest), std::min(v, static_cast<float>(highest))));
}

// The element of largest magnitude, keeping its sign; the first one wins ties, as in
// ggml, so formats that map it to their most negative level agree bit for bit.
inline float signed_absmax(const float* x, int n) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int i = 0; i < n; ++i) {
    const float magnitude = x[i] < 0.0f ? -x[i] : x[i];
    if (magnitude > amax) {
      amax = magnitude;
      max = x[i];
    }
  }
  return max;
}

// Blocks (or sub-block ranges) below this magnitude are fitted as zero. Their scales
// would underflow even f16 subnormals (2^-24) by far, and dividing by so small a range
// could overflow to inf, turning 0 * inf into a NaN level.
inline constexpr float kNegligibleMagnitude = 1e-15f;

// The nearest f16, except that magnitudes past the f16 range (and NaN) saturate to the
// largest finite f16 (+-65504): a stored scale is never inf or NaN, so blocks beyond what
// the format can represent clip instead of decoding to inf or NaN.
inline uint16_t f16_finite(float v) {
  constexpr uint16_t kLargestFinite = 0x7BFF;
  const uint16_t h = f32_to_f16(v);
  return (h & 0x7FFF) >= 0x7C00 ? static_cast<uint16_t>((h & 0x8000) | kLargestFinite) : h;
}

// A finite f16 whose magnitude is at least |v| (unless that is beyond the f16 range), for
// a super-block scale: rounded down, it could leave the largest sub-block scale one step
// beyond the stored range; rounded up, that fits.
inline uint16_t f16_at_least(float v) {
  uint16_t h = f16_finite(v);
  if (std::fabs(f16_to_f32(h)) < std::fabs(v) && (h & 0x7FFF) < 0x7BFF) ++h;  // +1 ulp in magnitude
  return h;
}

// The two integer multiples of `unit` around `value`, clamped to [lowest, highest]: the
// candidates for storing a sub-block scale or min as such a multiple (unit 0 stores 0;
// a NaN ratio, as in nearest_level, takes `lowest`).
struct MultipleChoices {
  int low, high;
};

inline MultipleChoices neighbouring_multiples(float value, float unit, int lowest, int highest) {
  if (unit == 0.0f) return {0, 0};
  const float ratio = std::max(static_cast<float>(lowest), std::min(value / unit, static_cast<float>(highest)));
  const int low = static_cast<int>(std::floor(ratio));
  return {low, std::min(highest, low + 1)};
}

// Signed sub-block scales stored as integer multiples (lowest..highest, lowest < 0) of
// one f16 super-block scale d. The largest-magnitude scale maps to `lowest`, the side
// with the extra level, so d = largest / lowest (rounded up in magnitude). Each sub-block
// then takes whichever neighbouring multiple gives the smaller error once its levels are
// re-chosen: `requantize(sub_block, step, levels)` fills the sub-block's levels for the
// stored step and returns its squared error. Sub-blocks hold at most kMaxSubBlockSize.
inline constexpr int kMaxSubBlockSize = 32;

template <typename Requantize>
uint16_t store_symmetric_scales(const float* scales, int n_sub_blocks, int sub_block_size, int lowest, int highest,
                                int* multiples, int* levels, Requantize requantize) {
  const uint16_t d_bits = f16_at_least(signed_absmax(scales, n_sub_blocks) / static_cast<float>(lowest));
  const float d = f16_to_f32(d_bits);
  int candidate_levels[kMaxSubBlockSize];
  for (int j = 0; j < n_sub_blocks; ++j) {
    const MultipleChoices choices = neighbouring_multiples(scales[j], d, lowest, highest);
    float best_error = std::numeric_limits<float>::infinity();
    for (int multiple = choices.low; multiple <= choices.high; ++multiple) {
      const float error = requantize(j, d * static_cast<float>(multiple), candidate_levels);
      if (multiple == choices.low || error < best_error) {
        best_error = error;
        multiples[j] = multiple;
        std::copy(candidate_levels, candidate_levels + sub_block_size, levels + j * sub_block_size);
      }
    }
  }
  return d_bits;
}

// Row functions: `src`/`dst` hold n_blocks blocks of the type.
void dequantize_q2_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q3_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q4_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q5_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q6_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q8_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_iq4_nl(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_iq4_xs(const uint8_t* src, float* dst, int64_t n_blocks);

void quantize_q2_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_q3_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_q4_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_q5_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_q6_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_q8_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_iq4_nl(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_iq4_xs(const float* src, uint8_t* dst, int64_t n_blocks);

}  // namespace slm::quant_ref
