// K-quants (256-element super-blocks): dequantization of Q2_K..Q6_K and Q8_K, ggml's
// exact Q8_K activation quantizer, and our own weight quantizers for Q2_K..Q6_K.
// Dequantizers evaluate ggml's expressions in ggml's order (sub-block scale first, then
// times the level), which keeps them bit-identical to ggml.
//
// The weight quantizers minimize the plain squared reconstruction error: without
// knowledge of the activations, the expected error of a dot product is proportional to
// it. Each sub-block is fitted with a small search over scales, each followed by a
// least-squares solve; the sub-block scales are then stored relative to an f16
// super-block scale, and the levels re-chosen against the scales actually stored.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"
#include "kernels/quant_ref_rows.h"

namespace slm::quant_ref {

namespace {

// Inverse of two_bit_plane_level for 256 levels in 0..3.
void pack_two_bit_planes(const int* levels, uint8_t* qs) {
  for (int e = 0; e < kQK_K; ++e) {
    uint8_t& byte = qs[32 * (e / 128) + e % 32];
    byte = static_cast<uint8_t>(byte | (levels[e] << (2 * ((e % 128) / 32))));
  }
}

// ---- Q2_K / Q4_K / Q5_K: levels q in [0, nmax], sub-block values scale * q - min.

struct AffineFit {
  float scale;  // >= 0
  float min;    // >= 0: the formats can only subtract
};

// Running sums for the least-squares fit of x ~ scale * q - min for given levels q.
// Integer and float sums keep the hot loop cheap; the solve itself runs in double.
struct AffineSums {
  int q = 0;
  int qq = 0;
  float qx = 0;
};

struct AffineSolution {
  double scale, offset, error;  // offset = -min
};

// Least squares for (scale, offset) given level sums and the block's sum_x, sum_xx over
// n elements. The offset may not be positive; when the free optimum has one, the
// constrained optimum sits on offset = 0. Returns false when the levels are all equal.
bool solve_affine(const AffineSums& s, double n, double sum_x, double sum_xx, AffineSolution& out) {
  const double q = s.q;
  const double qq = s.qq;
  const double qx = s.qx;
  const double det = n * qq - q * q;
  if (det <= 0) return false;
  double scale = (n * qx - q * sum_x) / det;
  double offset = (qq * sum_x - q * qx) / det;
  if (offset > 0) {
    offset = 0;
    scale = qx / qq;
  }
  if (scale <= 0) return false;
  // Expanded sum of (scale q + offset - x)^2.
  out.error = scale * scale * qq + 2 * scale * offset * q + n * offset * offset - 2 * scale * qx -
              2 * offset * sum_x + sum_xx;
  out.scale = scale;
  out.offset = offset;
  return true;
}

// The search grid: inverse scales that map the range [lo, hi] onto nmax - 1 .. nmax + 1
// steps in quarter steps. More than nmax clips the extremes to shrink the step; fewer
// widens it.
constexpr int kAffineSteps = 9;
constexpr float kAffineFirst = -1.0f;
constexpr float kAffineDelta = 0.25f;
constexpr int kAffineRefinements = 2;

AffineFit fit_affine(const float* x, int n, int nmax) {
  float lo = 0.0f;
  float hi = x[0];
  double sum_x = 0;
  double sum_xx = 0;
  for (int i = 0; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
    sum_x += x[i];
    sum_xx += static_cast<double>(x[i]) * x[i];
  }
  // Every element equals lo <= 0 (all-zero sub-blocks included), or nearly: the min alone.
  if (hi - lo < kNegligibleMagnitude) return {0.0f, -lo};

  // Search the grid (which includes the plain min/max mapping), then refine the best by
  // re-choosing levels for its fitted scale and offset (a few Lloyd iterations). The
  // plain mapping stands in should every candidate be degenerate.
  AffineSolution best{(hi - lo) / static_cast<double>(nmax), lo, std::numeric_limits<double>::infinity()};
  auto try_levels = [&](float inverse_scale, float offset) {
    AffineSums sums;
    for (int i = 0; i < n; ++i) {
      const int q = nearest_level((x[i] - offset) * inverse_scale, 0, nmax);
      sums.q += q;
      sums.qq += q * q;
      sums.qx += static_cast<float>(q) * x[i];
    }
    AffineSolution candidate{};
    if (solve_affine(sums, n, sum_x, sum_xx, candidate) && candidate.error < best.error) best = candidate;
  };
  for (int step = 0; step < kAffineSteps; ++step) {
    try_levels((static_cast<float>(nmax) + kAffineFirst + kAffineDelta * static_cast<float>(step)) / (hi - lo), lo);
  }
  for (int round = 0; round < kAffineRefinements; ++round) {
    try_levels(static_cast<float>(1.0 / best.scale), static_cast<float>(best.offset));
  }
  return {static_cast<float>(best.scale), static_cast<float>(-best.offset)};
}

// Levels for x ~ step * q - offset (the dequantizer's products), q in [0, nmax]; returns
// the squared error.
float requantize_affine(const float* x, int n, float step, float offset, int nmax, int* levels) {
  float error = 0.0f;
  for (int i = 0; i < n; ++i) {
    levels[i] = step > 0.0f ? nearest_level((x[i] + offset) / step, 0, nmax) : 0;
    const float diff = step * static_cast<float>(levels[i]) - offset - x[i];
    error += diff * diff;
  }
  return error;
}

// One Q2_K/Q4_K/Q5_K super-block before packing: the f16 scales, each sub-block's scale
// and min as multiples of them, and the levels.
struct AffineSuperBlock {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kQK_K / 16];
  uint8_t mins[kQK_K / 16];
  int levels[kQK_K];
};

// The sub-block scales and mins are stored as multiples (0..max_multiple) of f16 d and
// dmin, each the largest value / max_multiple (rounded up so the largest fits). Rounding
// a scale down can clip a sub-block's extremes, rounding it up coarsens its step; so for
// each sub-block the lower and upper multiple of both scale and min are tried against
// the actual error.
AffineSuperBlock quantize_affine_super_block(const float* x, int sub_block_size, int nmax, int max_multiple) {
  const int n_sub_blocks = kQK_K / sub_block_size;
  AffineFit fits[kQK_K / 16];
  float max_scale = 0.0f;
  float max_min = 0.0f;
  for (int j = 0; j < n_sub_blocks; ++j) {
    fits[j] = fit_affine(x + sub_block_size * j, sub_block_size, nmax);
    max_scale = std::max(max_scale, fits[j].scale);
    max_min = std::max(max_min, fits[j].min);
  }
  AffineSuperBlock out{};
  out.d = f16_at_least(max_scale / static_cast<float>(max_multiple));
  out.dmin = f16_at_least(max_min / static_cast<float>(max_multiple));
  const float d = f16_to_f32(out.d);
  const float dmin = f16_to_f32(out.dmin);
  for (int j = 0; j < n_sub_blocks; ++j) {
    const float* sub_x = x + sub_block_size * j;
    const MultipleChoices scale_choices = neighbouring_multiples(fits[j].scale, d, 0, max_multiple);
    const MultipleChoices min_choices = neighbouring_multiples(fits[j].min, dmin, 0, max_multiple);
    float best_error = std::numeric_limits<float>::infinity();
    for (int scale = scale_choices.low; scale <= scale_choices.high; ++scale) {
      for (int min = min_choices.low; min <= min_choices.high; ++min) {
        int levels[32];
        const float error = requantize_affine(sub_x, sub_block_size, d * static_cast<float>(scale),
                                              dmin * static_cast<float>(min), nmax, levels);
        const bool first = scale == scale_choices.low && min == min_choices.low;
        if (first || error < best_error) {
          best_error = error;
          out.scales[j] = static_cast<uint8_t>(scale);
          out.mins[j] = static_cast<uint8_t>(min);
          std::copy(levels, levels + sub_block_size, out.levels + sub_block_size * j);
        }
      }
    }
  }
  return out;
}

// Nibbles of 256 levels in the Q4_K/Q5_K order (see k4_nibble).
void pack_k4_nibbles(const int* levels, uint8_t* qs) {
  for (int group = 0; group < 4; ++group) {
    for (int l = 0; l < 32; ++l) {
      qs[32 * group + l] =
          static_cast<uint8_t>((levels[64 * group + l] & 0xF) | ((levels[64 * group + 32 + l] & 0xF) << 4));
    }
  }
}

// ---- Q3_K / Q6_K: levels q in [-nmax, nmax - 1], sub-block values scale * q with a
// signed scale.

constexpr int kSymmetricSteps = 4;  // candidates on each side of the plain mapping
constexpr float kSymmetricDelta = 0.2f;
constexpr int kSymmetricRefinements = 2;

// Scale of one sub-block, x ~ scale * q. The element of largest magnitude maps near the
// most negative level -nmax (one more level than the positive side has); the search
// varies that target by up to +-0.8 levels, keeping the least-squares scale of the best,
// then refines it by re-choosing levels for that scale.
float fit_symmetric(const float* x, int n, int nmax) {
  const float max = signed_absmax(x, n);
  if (std::fabs(max) < kNegligibleMagnitude) return 0.0f;
  double best_scale = 0;
  double best_gain = -1;  // sum(qx)^2 / sum(qq): error = sum(xx) - gain for the LS scale
  auto try_levels = [&](float inverse_scale) {
    float sum_qx = 0;
    int sum_qq = 0;
    for (int i = 0; i < n; ++i) {
      const int q = nearest_level(x[i] * inverse_scale, -nmax, nmax - 1);
      sum_qx += static_cast<float>(q) * x[i];
      sum_qq += q * q;
    }
    if (sum_qq > 0 && static_cast<double>(sum_qx) * sum_qx > best_gain * sum_qq) {
      best_gain = static_cast<double>(sum_qx) * sum_qx / sum_qq;
      best_scale = static_cast<double>(sum_qx) / sum_qq;
    }
  };
  for (int step = -kSymmetricSteps; step <= kSymmetricSteps; ++step) {
    try_levels(-(static_cast<float>(nmax) + kSymmetricDelta * static_cast<float>(step)) / max);
  }
  for (int round = 0; round < kSymmetricRefinements; ++round) try_levels(static_cast<float>(1.0 / best_scale));
  return static_cast<float>(best_scale);
}

// Levels in [-nmax, nmax - 1] for x ~ step * q; returns the squared error.
float requantize_symmetric(const float* x, int n, float step, int nmax, int* levels) {
  float error = 0.0f;
  for (int i = 0; i < n; ++i) {
    levels[i] = step != 0.0f ? nearest_level(x[i] / step, -nmax, nmax - 1) : 0;
    const float diff = step * static_cast<float>(levels[i]) - x[i];
    error += diff * diff;
  }
  return error;
}

// A Q3_K/Q6_K super-block of 16 sub-blocks of 16: each sub-block's scale as a multiple
// (lowest..highest) of the f16 d, and levels in [-nmax, nmax - 1].
struct SymmetricSuperBlock {
  uint16_t d;
  int scales[kQK_K / 16];
  int levels[kQK_K];
};

SymmetricSuperBlock quantize_symmetric_super_block(const float* x, int nmax, int lowest, int highest) {
  constexpr int kSubBlocks = kQK_K / 16;
  float scales[kSubBlocks];
  for (int j = 0; j < kSubBlocks; ++j) scales[j] = fit_symmetric(x + 16 * j, 16, nmax);
  SymmetricSuperBlock out{};
  out.d = store_symmetric_scales(scales, kSubBlocks, 16, lowest, highest, out.scales, out.levels,
                                 [&](int j, float step, int* levels) {
                                   return requantize_symmetric(x + 16 * j, 16, step, nmax, levels);
                                 });
  return out;
}

}  // namespace

void dequantize_q2_K(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q2_K>(src, i);
    const float d = f16_to_f32(block.d);
    const float dmin = f16_to_f32(block.dmin);
    float* y = dst + i * kQK_K;
    for (int e = 0; e < kQK_K; ++e) {
      const uint8_t scale_min = block.scales[e / 16];
      const float step = d * static_cast<float>(scale_min & 0xF);
      const float offset = dmin * static_cast<float>(scale_min >> 4);
      y[e] = step * static_cast<float>(two_bit_plane_level(block.qs, e)) - offset;
    }
  }
}

// Sub-blocks of 16, levels 0..3, 4-bit scale and min multiples of d and dmin.
void quantize_q2_K(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const AffineSuperBlock fit = quantize_affine_super_block(src + i * kQK_K, 16, 3, 15);
    block_q2_K block{};
    block.d = fit.d;
    block.dmin = fit.dmin;
    for (int j = 0; j < kQK_K / 16; ++j) block.scales[j] = static_cast<uint8_t>(fit.scales[j] | (fit.mins[j] << 4));
    pack_two_bit_planes(fit.levels, block.qs);
    store_block(block, dst, i);
  }
}

void dequantize_q3_K(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q3_K>(src, i);
    const float d = f16_to_f32(block.d);
    float* y = dst + i * kQK_K;
    for (int e = 0; e < kQK_K; ++e) {
      const float step = d * static_cast<float>(q3_k_scale(block.scales, e / 16));
      // The hmask bit of element e is bit (4 * half + plane) of hmask[e % 32]; a clear
      // bit means the level is 4 lower.
      const int bit = (block.hmask[e % 32] >> (4 * (e / 128) + (e % 128) / 32)) & 1;
      y[e] = step * static_cast<float>(two_bit_plane_level(block.qs, e) - (bit != 0 ? 0 : 4));
    }
  }
}

// Sub-blocks of 16, levels -4..3, scales 6-bit signed multiples (-32..31) of d. The
// stored level u = q + 4 splits into its low two bits (the planes) and bit 2 (hmask).
void quantize_q3_K(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const SymmetricSuperBlock fit = quantize_symmetric_super_block(src + i * kQK_K, 4, -32, 31);
    block_q3_K block{};
    block.d = fit.d;
    // Inverse of q3_k_scale.
    for (int k = 0; k < kQK_K / 16; ++k) {
      const int stored = fit.scales[k] + 32;
      block.scales[k % 8] = static_cast<uint8_t>(block.scales[k % 8] | ((stored & 0xF) << (k < 8 ? 0 : 4)));
      block.scales[8 + k % 4] = static_cast<uint8_t>(block.scales[8 + k % 4] | ((stored >> 4) << (2 * (k / 4))));
    }
    int low_bits[kQK_K];
    for (int e = 0; e < kQK_K; ++e) {
      const int stored = fit.levels[e] + 4;
      low_bits[e] = stored & 3;
      const int hmask_bit = 4 * (e / 128) + (e % 128) / 32;
      block.hmask[e % 32] = static_cast<uint8_t>(block.hmask[e % 32] | ((stored >> 2) << hmask_bit));
    }
    pack_two_bit_planes(low_bits, block.qs);
    store_block(block, dst, i);
  }
}

void dequantize_q4_K(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q4_K>(src, i);
    const float d = f16_to_f32(block.d);
    const float dmin = f16_to_f32(block.dmin);
    float* y = dst + i * kQK_K;
    for (int e = 0; e < kQK_K; ++e) {
      const ScaleMin sm = unpack_scale_min_k4(block.scales, e / 32);
      const float step = d * static_cast<float>(sm.scale);
      const float offset = dmin * static_cast<float>(sm.min);
      y[e] = step * static_cast<float>(k4_nibble(block.qs, e)) - offset;
    }
  }
}

void quantize_q4_K(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const AffineSuperBlock fit = quantize_affine_super_block(src + i * kQK_K, 32, 15, 63);
    block_q4_K block{};
    block.d = fit.d;
    block.dmin = fit.dmin;
    pack_scale_min_k4(fit.scales, fit.mins, block.scales);
    pack_k4_nibbles(fit.levels, block.qs);
    store_block(block, dst, i);
  }
}

void dequantize_q5_K(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q5_K>(src, i);
    const float d = f16_to_f32(block.d);
    const float dmin = f16_to_f32(block.dmin);
    float* y = dst + i * kQK_K;
    for (int e = 0; e < kQK_K; ++e) {
      const ScaleMin sm = unpack_scale_min_k4(block.scales, e / 32);
      const float step = d * static_cast<float>(sm.scale);
      const float offset = dmin * static_cast<float>(sm.min);
      // The fifth bit: qh[e % 32], bit = index of the 32-element sub-block (e / 32).
      const int high = (block.qh[e % 32] >> (e / 32)) & 1;
      y[e] = step * static_cast<float>(k4_nibble(block.qs, e) + 16 * high) - offset;
    }
  }
}

void quantize_q5_K(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const AffineSuperBlock fit = quantize_affine_super_block(src + i * kQK_K, 32, 31, 63);
    block_q5_K block{};
    block.d = fit.d;
    block.dmin = fit.dmin;
    pack_scale_min_k4(fit.scales, fit.mins, block.scales);
    pack_k4_nibbles(fit.levels, block.qs);
    for (int e = 0; e < kQK_K; ++e) {
      block.qh[e % 32] = static_cast<uint8_t>(block.qh[e % 32] | ((fit.levels[e] >> 4) << (e / 32)));
    }
    store_block(block, dst, i);
  }
}

void dequantize_q6_K(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q6_K>(src, i);
    const float d = f16_to_f32(block.d);
    float* y = dst + i * kQK_K;
    for (int e = 0; e < kQK_K; ++e) {
      const float step = d * static_cast<float>(block.scales[e / 16]);
      y[e] = step * static_cast<float>(q6_k_level(block, e) - 32);
    }
  }
}

// The sub-block scales are stored as int8 multiples of an f16 d; the largest maps to
// -128, int8's extra negative value.
void quantize_q6_K(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const SymmetricSuperBlock fit = quantize_symmetric_super_block(src + i * kQK_K, 32, -128, 127);
    block_q6_K block{};
    block.d = fit.d;
    for (int j = 0; j < kQK_K / 16; ++j) block.scales[j] = static_cast<int8_t>(fit.scales[j]);
    // Inverse of q6_k_level, levels shifted to 0..63.
    for (int e = 0; e < kQK_K; ++e) {
      const int level = fit.levels[e] + 32;
      const int half = e / 128;
      const int quarter = (e % 128) / 32;
      const int l = e % 32;
      uint8_t& low_byte = block.ql[64 * half + l + 32 * (quarter % 2)];
      low_byte = static_cast<uint8_t>(low_byte | ((level & 0xF) << (quarter < 2 ? 0 : 4)));
      uint8_t& high_byte = block.qh[32 * half + l];
      high_byte = static_cast<uint8_t>(high_byte | ((level >> 4) << (2 * quarter)));
    }
    store_block(block, dst, i);
  }
}

void dequantize_q8_K(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q8_K>(src, i);
    for (int e = 0; e < kQK_K; ++e) dst[i * kQK_K + e] = block.d * static_cast<float>(block.qs[e]);
  }
}

// ggml's activation rule: the signed element of largest magnitude maps to -127
// (iscale = -127 / max), levels round half to even and are capped at 127, d = 1 / iscale
// in f32. An all-zero block is all zeros with d = 0.
void quantize_q8_K(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const float* x = src + i * kQK_K;
    block_q8_K block{};
    const float max = signed_absmax(x, kQK_K);
    if (max != 0.0f) {
      const float iscale = -127.0f / max;
      for (int e = 0; e < kQK_K; ++e) block.qs[e] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[e])));
      for (int e = 0; e < kQK_K; ++e) block.bsums[e / 16] = static_cast<int16_t>(block.bsums[e / 16] + block.qs[e]);
      block.d = 1.0f / iscale;
    }
    store_block(block, dst, i);
  }
}

}  // namespace slm::quant_ref
