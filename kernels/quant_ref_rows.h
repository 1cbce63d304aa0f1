// Internal to the scalar reference (de)quantizers: the per-type block-row functions that
// quant_ref.cpp dispatches to, and helpers the implementation files share.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

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

// nearest_int of v clamped to [lowest, highest]: the level a quantizer stores for v.
inline int nearest_level(float v, int lowest, int highest) {
  return nearest_int(std::clamp(v, static_cast<float>(lowest), static_cast<float>(highest)));
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

// Row functions: `src`/`dst` hold n_blocks blocks of the type.
void dequantize_q2_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q3_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q4_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q5_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q6_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q8_K(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_iq4_nl(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_iq4_xs(const uint8_t* src, float* dst, int64_t n_blocks);

void quantize_q4_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_q5_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_q6_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_q8_K(const float* src, uint8_t* dst, int64_t n_blocks);
void quantize_iq4_nl(const float* src, uint8_t* dst, int64_t n_blocks);

}  // namespace slm::quant_ref
