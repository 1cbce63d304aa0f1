// K-quants (256-element super-blocks): dequantization of Q2_K..Q6_K and Q8_K, ggml's
// exact Q8_K activation quantizer, and our own weight quantizers for Q4_K, Q5_K and
// Q6_K. Dequantizers evaluate ggml's expressions in ggml's order (sub-block scale first,
// then times the level), which keeps them bit-identical to ggml.
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

// Levels of element e (0..255) in the 2-bit planes shared by Q2_K and Q3_K: each half of
// 128 elements uses 32 bytes, and four 2-bit planes of them cover 32 elements each.
int two_bit_plane_level(const uint8_t* qs, int e) {
  const int half = e / 128;
  const int plane = (e % 128) / 32;
  return (qs[32 * half + e % 32] >> (2 * plane)) & 3;
}

// Nibble of element e in Q4_K/Q5_K: groups of 64 share 32 bytes, low nibbles first.
int k4_nibble(const uint8_t* qs, int e) {
  const uint8_t byte = qs[32 * (e / 64) + e % 32];
  return (e % 64) < 32 ? byte & 0xF : byte >> 4;
}

// Q6_K 6-bit level of element e: each half of 128 uses 64 ql bytes and 32 qh bytes; the
// quarter k (32 elements) takes low/high nibbles of ql[l] / ql[l + 32] and 2-bit field k of qh.
int q6_k_level(const block_q6_K& block, int e) {
  const int half = e / 128;
  const int quarter = (e % 128) / 32;
  const int l = e % 32;
  const uint8_t low_byte = block.ql[64 * half + l + 32 * (quarter % 2)];
  const int low = quarter < 2 ? low_byte & 0xF : low_byte >> 4;
  const int high = (block.qh[32 * half + l] >> (2 * quarter)) & 3;
  return low | (high << 4);
}

// An f16 whose magnitude is at least |v|: a super-block scale rounded down could leave
// the largest sub-block scale one step beyond the stored range; rounded up it fits.
uint16_t f16_at_least(float v) {
  uint16_t h = f32_to_f16(v);
  if (std::fabs(f16_to_f32(h)) < std::fabs(v)) ++h;  // sign-magnitude: +1 ulp in magnitude
  return h;
}

// The 6-bit multiples of `unit` just below and above a non-negative value: the two
// candidates for storing it (unit 0 stores only 0).
struct SixBitChoices {
  int low, high;
};

SixBitChoices six_bit_choices(float value, float unit) {
  if (unit <= 0.0f) return {0, 0};
  const int low = std::min(63, static_cast<int>(value / unit));
  return {low, std::min(63, low + 1)};
}

// ---- Q4_K / Q5_K: levels q in [0, nmax], sub-block values scale * q - min.

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
  // Every element equals lo <= 0 (all-zero sub-blocks included): the min alone is exact.
  if (hi <= lo) return {0.0f, -lo};

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

// One Q4_K/Q5_K super-block: f16 scales, packed 6-bit sub-block scales/mins, levels.
struct AffineSuperBlock {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  int levels[kQK_K];
};

// The sub-block scales and mins are stored as 6-bit multiples of f16 d and dmin, each
// the largest value / 63 (rounded up so the largest fits). Rounding a scale down can
// clip a sub-block's extremes, rounding it up coarsens its step; so for each sub-block
// the lower and upper multiple of both scale and min are tried against the actual error.
AffineSuperBlock quantize_affine_super_block(const float* x, int nmax) {
  constexpr int kSubBlocks = kQK_K / 32;
  AffineFit fits[kSubBlocks];
  float max_scale = 0.0f;
  float max_min = 0.0f;
  for (int j = 0; j < kSubBlocks; ++j) {
    fits[j] = fit_affine(x + 32 * j, 32, nmax);
    max_scale = std::max(max_scale, fits[j].scale);
    max_min = std::max(max_min, fits[j].min);
  }
  AffineSuperBlock out{};
  out.d = f16_at_least(max_scale / 63.0f);
  out.dmin = f16_at_least(max_min / 63.0f);
  const float d = f16_to_f32(out.d);
  const float dmin = f16_to_f32(out.dmin);
  uint8_t scales[kSubBlocks];
  uint8_t mins[kSubBlocks];
  for (int j = 0; j < kSubBlocks; ++j) {
    const float* sub_x = x + 32 * j;
    const SixBitChoices scale_choices = six_bit_choices(fits[j].scale, d);
    const SixBitChoices min_choices = six_bit_choices(fits[j].min, dmin);
    float best_error = std::numeric_limits<float>::infinity();
    for (int scale = scale_choices.low; scale <= scale_choices.high; ++scale) {
      for (int min = min_choices.low; min <= min_choices.high; ++min) {
        int levels[32];
        const float error = requantize_affine(sub_x, 32, d * static_cast<float>(scale),
                                              dmin * static_cast<float>(min), nmax, levels);
        if (error < best_error) {
          best_error = error;
          scales[j] = static_cast<uint8_t>(scale);
          mins[j] = static_cast<uint8_t>(min);
          std::copy(levels, levels + 32, out.levels + 32 * j);
        }
      }
    }
  }
  pack_scale_min_k4(scales, mins, out.scales);
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

// ---- Q6_K: levels q in [-32, 31], sub-block values scale * q with a signed scale.

constexpr int kSymmetricSteps = 4;  // candidates on each side of the plain mapping
constexpr float kSymmetricDelta = 0.2f;

// Scale of one sub-block, x ~ scale * q. The element of largest magnitude maps near the
// most negative level -32 (one more level than the positive side has); the search varies
// that target by up to +-0.8 levels, keeping the least-squares scale of the best.
float fit_symmetric(const float* x, int n) {
  const float max = signed_absmax(x, n);
  if (max == 0.0f) return 0.0f;
  double best_scale = 0;
  double best_gain = -1;  // sum(qx)^2 / sum(qq): error = sum(xx) - gain for the LS scale
  for (int step = -kSymmetricSteps; step <= kSymmetricSteps; ++step) {
    const float inverse_scale = -(32.0f + kSymmetricDelta * static_cast<float>(step)) / max;
    float sum_qx = 0;
    int sum_qq = 0;
    for (int i = 0; i < n; ++i) {
      const int q = nearest_level(x[i] * inverse_scale, -32, 31);
      sum_qx += static_cast<float>(q) * x[i];
      sum_qq += q * q;
    }
    if (sum_qq > 0 && static_cast<double>(sum_qx) * sum_qx > best_gain * sum_qq) {
      best_gain = static_cast<double>(sum_qx) * sum_qx / sum_qq;
      best_scale = static_cast<double>(sum_qx) / sum_qq;
    }
  }
  return static_cast<float>(best_scale);
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
    const AffineSuperBlock fit = quantize_affine_super_block(src + i * kQK_K, 15);
    block_q4_K block{};
    block.d = fit.d;
    block.dmin = fit.dmin;
    std::memcpy(block.scales, fit.scales, sizeof(block.scales));
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
    const AffineSuperBlock fit = quantize_affine_super_block(src + i * kQK_K, 31);
    block_q5_K block{};
    block.d = fit.d;
    block.dmin = fit.dmin;
    std::memcpy(block.scales, fit.scales, sizeof(block.scales));
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

// The sub-block scales are stored as int8 times an f16 d. The largest-magnitude scale
// maps to -128 (int8's extra negative value), so d = -max_scale / 128, rounded up in
// magnitude so no scale falls outside the int8 range.
void quantize_q6_K(const float* src, uint8_t* dst, int64_t n_blocks) {
  constexpr int kSubBlocks = kQK_K / 16;
  for (int64_t i = 0; i < n_blocks; ++i) {
    const float* x = src + i * kQK_K;
    float scales[kSubBlocks];
    for (int j = 0; j < kSubBlocks; ++j) scales[j] = fit_symmetric(x + 16 * j, 16);
    const float max_scale = signed_absmax(scales, kSubBlocks);

    block_q6_K block{};
    block.d = f16_at_least(max_scale / -128.0f);
    const float d = f16_to_f32(block.d);
    int levels[kQK_K];
    for (int j = 0; j < kSubBlocks; ++j) {
      block.scales[j] = static_cast<int8_t>(d != 0.0f ? nearest_level(scales[j] / d, -128, 127) : 0);
      const float step = d * static_cast<float>(block.scales[j]);
      for (int l = 0; l < 16; ++l) {
        levels[16 * j + l] = 32 + (step != 0.0f ? nearest_level(x[16 * j + l] / step, -32, 31) : 0);
      }
    }
    // Inverse of q6_k_level.
    for (int e = 0; e < kQK_K; ++e) {
      const int half = e / 128;
      const int quarter = (e % 128) / 32;
      const int l = e % 32;
      uint8_t& low_byte = block.ql[64 * half + l + 32 * (quarter % 2)];
      low_byte = static_cast<uint8_t>(low_byte | ((levels[e] & 0xF) << (quarter < 2 ? 0 : 4)));
      uint8_t& high_byte = block.qh[32 * half + l];
      high_byte = static_cast<uint8_t>(high_byte | ((levels[e] >> 4) << (2 * quarter)));
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
