// The non-linear 4-bit formats: IQ4_NL (blocks of 32, one f16 scale) and IQ4_XS
// (super-blocks of 256 with 6-bit sub-block scales), whose levels are the table
// kIq4nlValues times a scale. Dequantizers evaluate ggml's expressions in ggml's order;
// the quantizers are our own and minimize the squared reconstruction error.
#include <algorithm>
#include <array>
#include <cmath>

#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"
#include "kernels/quant_ref_rows.h"

namespace slm::quant_ref {

namespace {

constexpr int kHalf = kQK / 2;

// Nearest table entry by lookup. Adjacent entries are integers, so every decision
// boundary (a midpoint) is a multiple of 0.5: within each half-unit cell [c/2, c/2 + 0.5)
// the nearest entry is constant, and the table is indexed by the cell. Values beyond
// +-kLookupRange saturate to the end entries, which are then nearest anyway.
constexpr int kLookupRange = 160;
constexpr int kLookupCells = 4 * kLookupRange;

constexpr std::array<uint8_t, kLookupCells> make_nearest_index_table() {
  std::array<uint8_t, kLookupCells> table{};
  for (int cell = 0; cell < kLookupCells; ++cell) {
    const double center = (cell + 0.5) / 2.0 - kLookupRange;
    int best = 0;
    for (int k = 1; k < 16; ++k) {
      const double distance = center - kIq4nlValues[k];
      const double best_distance = center - kIq4nlValues[best];
      if (distance * distance < best_distance * best_distance) best = k;
    }
    table[cell] = static_cast<uint8_t>(best);
  }
  return table;
}

constexpr std::array<uint8_t, kLookupCells> kNearestIndex = make_nearest_index_table();

// Index of the table entry nearest to v (to within float rounding at cell edges). A NaN
// (from inputs near the float limits) saturates low instead of indexing out of range.
int nearest_iq4_index(float v) {
  constexpr float kRange = static_cast<float>(kLookupRange);
  const float clamped = v > -kRange ? std::min(v, kRange - 0.25f) : -kRange;
  return kNearestIndex[static_cast<size_t>((clamped + kRange) * 2.0f)];
}

// Candidate positions for the block's element of largest magnitude, in table units: near
// the most negative entry (-127, the wider side) with steps that clip the extreme a little
// or leave headroom, and near the most positive one (113) for blocks whose other elements
// sit better on the positive side.
constexpr float kExtremeTargets[] = {-135, -131, -127, -123, -119, -115, 121, 117, 113};

// Scale d of one block, x ~ d * table[index]: for each candidate mapping, choose entries,
// solve least squares for d, keep the d with the smallest error.
float fit_iq4_scale(const float* x) {
  const float max = signed_absmax(x, kQK);
  if (std::fabs(max) < kNegligibleMagnitude) return 0.0f;
  double best_scale = 0;
  double best_gain = -1;  // sum(xt)^2 / sum(tt): the error is sum(xx) - gain
  for (const float target : kExtremeTargets) {
    const float inverse_scale = target / max;
    double sum_xt = 0;
    double sum_tt = 0;
    for (int i = 0; i < kQK; ++i) {
      const double t = kIq4nlValues[nearest_iq4_index(x[i] * inverse_scale)];
      sum_xt += t * x[i];
      sum_tt += t * t;
    }
    if (sum_xt * sum_xt > best_gain * sum_tt) {
      best_gain = sum_xt * sum_xt / sum_tt;
      best_scale = sum_xt / sum_tt;
    }
  }
  return static_cast<float>(best_scale);
}

// Table indices of a 32-element block for the stored scale `step` (the dequantizer's
// product); returns the squared error. With step 0 every entry decodes to 0; entry 8 (+1)
// keeps the zero positive.
float requantize_iq4(const float* x, float step, int* indices) {
  const float inverse = step != 0.0f ? 1.0f / step : 0.0f;
  float error = 0.0f;
  for (int i = 0; i < kQK; ++i) {
    indices[i] = step != 0.0f ? nearest_iq4_index(x[i] * inverse) : 8;
    const float diff = step * static_cast<float>(kIq4nlValues[indices[i]]) - x[i];
    error += diff * diff;
  }
  return error;
}

// 32 indices as nibbles in the Q4_0 order (element j low, j + 16 high in byte j).
void pack_iq4_nibbles(const int* indices, uint8_t* qs) {
  for (int j = 0; j < kHalf; ++j) qs[j] = static_cast<uint8_t>(indices[j] | (indices[j + kHalf] << 4));
}

}  // namespace

void dequantize_iq4_nl(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_iq4_nl>(src, i);
    const float d = f16_to_f32(block.d);
    float* y = dst + i * kQK;
    for (int j = 0; j < kHalf; ++j) {
      y[j] = d * static_cast<float>(kIq4nlValues[block.qs[j] & 0xF]);
      y[j + kHalf] = d * static_cast<float>(kIq4nlValues[block.qs[j] >> 4]);
    }
  }
}

// Entries are re-chosen against the f16 scale actually stored.
void quantize_iq4_nl(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const float* x = src + i * kQK;
    block_iq4_nl block{};
    block.d = f16_finite(fit_iq4_scale(x));
    int indices[kQK];
    requantize_iq4(x, f16_to_f32(block.d), indices);
    pack_iq4_nibbles(indices, block.qs);
    store_block(block, dst, i);
  }
}

void dequantize_iq4_xs(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_iq4_xs>(src, i);
    const float d = f16_to_f32(block.d);
    float* y = dst + i * kQK_K;
    for (int ib = 0; ib < kQK_K / 32; ++ib) {
      const float step = d * static_cast<float>(iq4_xs_scale(block, ib));
      const uint8_t* qs = block.qs + 16 * ib;
      for (int j = 0; j < 16; ++j) {
        y[32 * ib + j] = step * static_cast<float>(kIq4nlValues[qs[j] & 0xF]);
        y[32 * ib + j + 16] = step * static_cast<float>(kIq4nlValues[qs[j] >> 4]);
      }
    }
  }
}

// Each sub-block of 32 is fitted as an IQ4_NL block; the scales are then stored as
// 6-bit signed multiples (-32..31) of an f16 d, and the entries re-chosen against them.
void quantize_iq4_xs(const float* src, uint8_t* dst, int64_t n_blocks) {
  constexpr int kSubBlocks = kQK_K / kQK;
  for (int64_t i = 0; i < n_blocks; ++i) {
    const float* x = src + i * kQK_K;
    float scales[kSubBlocks];
    for (int ib = 0; ib < kSubBlocks; ++ib) scales[ib] = fit_iq4_scale(x + kQK * ib);
    int multiples[kSubBlocks];
    int indices[kQK_K];
    block_iq4_xs block{};
    block.d = store_symmetric_scales(scales, kSubBlocks, kQK, -32, 31, multiples, indices,
                                     [&](int ib, float step, int* levels) {
                                       return requantize_iq4(x + kQK * ib, step, levels);
                                     });
    // Inverse of iq4_xs_scale.
    for (int ib = 0; ib < kSubBlocks; ++ib) {
      const int stored = multiples[ib] + 32;
      block.scales_l[ib / 2] = static_cast<uint8_t>(block.scales_l[ib / 2] | ((stored & 0xF) << (4 * (ib % 2))));
      block.scales_h = static_cast<uint16_t>(block.scales_h | ((stored >> 4) << (2 * ib)));
      pack_iq4_nibbles(indices + kQK * ib, block.qs + kHalf * ib);
    }
    store_block(block, dst, i);
  }
}

}  // namespace slm::quant_ref
