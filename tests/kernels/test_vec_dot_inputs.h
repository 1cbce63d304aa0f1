// Inputs for the dot-product and matmul tests: weight rows of every type (quantized real
// data, random bit patterns, extreme and all-zero scales), activation rows with hostile
// blocks, and the error bounds that the kernels are held to.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <vector>

#include "kernels/fp16.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"
#include "kernels/vec_dot.h"
#include "slm/ggml_type.h"
#include "slm/quant.h"

namespace slm {

// Test names and messages show an ISA family by name.
inline void PrintTo(Isa isa, std::ostream* os) { *os << isa_name(isa); }

}  // namespace slm

namespace slm::test {

// Every weight type with a dot product.
inline constexpr GgmlType kDotTypes[] = {
    GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1,
    GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::Q2_K, GgmlType::Q3_K,
    GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_NL, GgmlType::IQ4_XS,
};

inline int64_t block_elems(GgmlType type) { return ggml_type_info(type).block_elems; }
inline bool is_float_type(GgmlType t) { return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16; }

// Byte offsets of a block's f16 scale fields: `d` scales the levels, `min` the offsets
// (Q4_1/Q5_1 m, K-quant dmin).
struct ScaleFields {
  std::vector<size_t> d;
  std::vector<size_t> min;
};

inline ScaleFields scale_fields(GgmlType type) {
  switch (type) {
    case GgmlType::Q4_0: return {{offsetof(block_q4_0, d)}, {}};
    case GgmlType::Q4_1: return {{offsetof(block_q4_1, d)}, {offsetof(block_q4_1, m)}};
    case GgmlType::Q5_0: return {{offsetof(block_q5_0, d)}, {}};
    case GgmlType::Q5_1: return {{offsetof(block_q5_1, d)}, {offsetof(block_q5_1, m)}};
    case GgmlType::Q8_0: return {{offsetof(block_q8_0, d)}, {}};
    case GgmlType::Q2_K: return {{offsetof(block_q2_K, d)}, {offsetof(block_q2_K, dmin)}};
    case GgmlType::Q3_K: return {{offsetof(block_q3_K, d)}, {}};
    case GgmlType::Q4_K: return {{offsetof(block_q4_K, d)}, {offsetof(block_q4_K, dmin)}};
    case GgmlType::Q5_K: return {{offsetof(block_q5_K, d)}, {offsetof(block_q5_K, dmin)}};
    case GgmlType::Q6_K: return {{offsetof(block_q6_K, d)}, {}};
    case GgmlType::IQ4_NL: return {{offsetof(block_iq4_nl, d)}, {}};
    case GgmlType::IQ4_XS: return {{offsetof(block_iq4_xs, d)}, {}};
    default: return {};
  }
}

inline void set_f16(std::vector<uint8_t>& bytes, size_t offset, float value) {
  const uint16_t h = f32_to_f16(value);
  std::memcpy(bytes.data() + offset, &h, sizeof(h));
}

enum class WeightKind {
  kQuantized,    // Gaussian data through quantize_row (random bits for types without one)
  kRandomBits,   // every level and sub-block scale pattern, moderate f16 scales
  kLargeScales,  // random bits, scales near the f16 maximum
  kTinyScales,   // random bits, f16 subnormal scales
  kMixedBlocks,  // random bits, each block's scales drawn from all of the above or zero
  kZero,         // all bytes zero
};
inline constexpr WeightKind kWeightKinds[] = {WeightKind::kQuantized, WeightKind::kRandomBits,
                                              WeightKind::kLargeScales, WeightKind::kTinyScales,
                                              WeightKind::kMixedBlocks, WeightKind::kZero};

inline float random_scale(WeightKind kind, std::mt19937& rng) {
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  const float sign = (rng() & 1u) != 0 ? -1.0f : 1.0f;
  switch (kind) {
    case WeightKind::kLargeScales: return sign * (30000.0f + 35000.0f * unit(rng));
    case WeightKind::kTinyScales: return sign * f16_to_f32(static_cast<uint16_t>(1 + rng() % 1023));
    case WeightKind::kMixedBlocks: {
      switch (rng() % 4) {
        case 0: return 0.0f;
        case 1: return random_scale(WeightKind::kLargeScales, rng);
        case 2: return random_scale(WeightKind::kTinyScales, rng);
        default: return random_scale(WeightKind::kRandomBits, rng);
      }
    }
    default: return sign * std::exp2(-10.0f + 10.0f * unit(rng));
  }
}

// Float data for the float types and for quantize_row.
inline std::vector<float> weight_floats(int64_t n, WeightKind kind, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = normal(rng);
  for (int64_t b = 0; b < n / 32; ++b) {
    float* block = x.data() + b * 32;
    float scale = 1.0f;
    switch (kind) {
      case WeightKind::kLargeScales: scale = 5000.0f; break;
      case WeightKind::kTinyScales: scale = 1e-6f; break;  // f16 subnormals
      case WeightKind::kZero: scale = 0.0f; break;
      case WeightKind::kMixedBlocks: scale = std::array<float, 4>{0.0f, 5000.0f, 1e-6f, 1.0f}[rng() % 4]; break;
      default: break;
    }
    for (int e = 0; e < 32; ++e) block[e] *= scale;
  }
  return x;
}

inline std::vector<uint8_t> weight_row(GgmlType type, int64_t n, WeightKind kind, std::mt19937& rng) {
  std::vector<uint8_t> row(row_size(type, n));
  if (kind == WeightKind::kZero) return row;
  if (is_float_type(type) || (kind == WeightKind::kQuantized && can_quantize(type))) {
    const WeightKind data_kind = is_float_type(type) ? kind : WeightKind::kRandomBits;
    const std::vector<float> x = weight_floats(n, data_kind, rng);
    quantize_row(type, x.data(), row.data(), n);
    return row;
  }
  for (uint8_t& byte : row) byte = static_cast<uint8_t>(rng());
  const ScaleFields fields = scale_fields(type);
  const size_t block_bytes = ggml_type_info(type).block_bytes;
  const WeightKind scale_kind = kind == WeightKind::kQuantized ? WeightKind::kRandomBits : kind;
  for (size_t b = 0; b < row.size() / block_bytes; ++b) {
    for (size_t offset : fields.d) set_f16(row, b * block_bytes + offset, random_scale(scale_kind, rng));
    for (size_t offset : fields.min) set_f16(row, b * block_bytes + offset, random_scale(scale_kind, rng));
  }
  return row;
}

// A row-major matrix whose rows cycle through the weight kinds, so one matrix holds all
// of them.
struct Matrix {
  GgmlType type;
  int64_t n_cols, n_rows;
  std::vector<uint8_t> bytes;
  MatrixView view() const { return {type, bytes.data(), n_cols, n_rows, row_size(type, n_cols)}; }
};

inline Matrix random_matrix(GgmlType type, int64_t n_cols, int64_t n_rows, std::mt19937& rng) {
  Matrix m{type, n_cols, n_rows, {}};
  for (int64_t r = 0; r < n_rows; ++r) {
    const std::vector<uint8_t> row = weight_row(type, n_cols, kWeightKinds[static_cast<size_t>(r) % std::size(kWeightKinds)], rng);
    m.bytes.insert(m.bytes.end(), row.begin(), row.end());
  }
  return m;
}

enum class ActivationKind {
  kGaussian,     // N(0, 1)
  kMixedBlocks,  // per 32: zero, tiny (1e-20), large (1e3), one outlier, exact .5 ties, or normal
  kZero,
};
inline constexpr ActivationKind kActivationKinds[] = {ActivationKind::kGaussian, ActivationKind::kMixedBlocks,
                                                      ActivationKind::kZero};

inline std::vector<float> activation_floats(int64_t n, ActivationKind kind, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n), 0.0f);
  if (kind == ActivationKind::kZero) return x;
  for (float& v : x) v = normal(rng);
  if (kind == ActivationKind::kGaussian) return x;
  for (int64_t b = 0; b < n / 32; ++b) {
    float* block = x.data() + b * 32;
    switch (rng() % 6) {
      case 0: std::fill(block, block + 32, 0.0f); break;
      case 1: for (int e = 0; e < 32; ++e) block[e] *= 1e-20f; break;
      case 2: for (int e = 0; e < 32; ++e) block[e] *= 1e3f; break;  // Q8_1 keeps d·Σq in f16: |Σ| < 65504
      case 3: block[rng() % 32] = (rng() & 1u) != 0 ? 500.0f : -500.0f; break;
      case 4:  // amax 127 makes 127 / amax = 1: every x.5 is a rounding tie
        for (int e = 0; e < 32; ++e) block[e] = static_cast<float>(static_cast<int>(rng() % 254) - 127) + 0.5f;
        block[0] = 127.0f;
        break;
      default: break;
    }
  }
  return x;
}

inline std::vector<float> dequantized(GgmlType type, const uint8_t* bytes, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n));
  dequantize_row(type, bytes, out.data(), n);
  return out;
}

// n_tokens rows of n activations converted by the scalar family to the activation type
// of `weight_type` (as matmul converts them), and the values they then hold.
struct ConvertedActivations {
  std::vector<uint8_t> bytes;
  size_t row_bytes;
  std::vector<std::vector<float>> values;
  const uint8_t* row(int64_t t) const { return bytes.data() + static_cast<size_t>(t) * row_bytes; }
};

inline ConvertedActivations convert_activations(GgmlType weight_type, const std::vector<float>& x, int64_t n,
                                                int64_t n_tokens) {
  const VecDotKernel& ref = *vec_dot_table(Isa::kScalar).find(weight_type);
  ConvertedActivations a{std::vector<uint8_t>(row_size(ref.act_type, n) * static_cast<size_t>(n_tokens)),
                         row_size(ref.act_type, n), {}};
  for (int64_t t = 0; t < n_tokens; ++t) {
    ref.quantize(x.data() + t * n, a.bytes.data() + static_cast<size_t>(t) * a.row_bytes, n);
    a.values.push_back(dequantized(ref.act_type, a.row(t), n));
  }
  return a;
}

// The two additive parts of every weight: the level part (d-scaled) and the min part,
// each obtained by dequantizing a copy with the other scale zeroed. Float error bounds
// must use |level part| + |min part|, not |weight|: the kernels sum the parts separately.
struct WeightParts {
  std::vector<float> levels;
  std::vector<float> mins;
};

inline WeightParts weight_parts(GgmlType type, const uint8_t* row, int64_t n) {
  const ScaleFields fields = scale_fields(type);
  if (fields.min.empty()) return {dequantized(type, row, n), std::vector<float>(static_cast<size_t>(n), 0.0f)};
  const size_t bytes = row_size(type, n);
  const size_t block_bytes = ggml_type_info(type).block_bytes;
  std::vector<uint8_t> no_mins(row, row + bytes);
  std::vector<uint8_t> no_levels(row, row + bytes);
  for (size_t b = 0; b < bytes / block_bytes; ++b) {
    for (size_t offset : fields.min) set_f16(no_mins, b * block_bytes + offset, 0.0f);
    for (size_t offset : fields.d) set_f16(no_levels, b * block_bytes + offset, 0.0f);
  }
  return {dequantized(type, no_mins.data(), n), dequantized(type, no_levels.data(), n)};
}

// Bound on the float rounding of a dot product computed as sums of block (or lane)
// terms: each term carries at most 3 roundings (scale product, times the integer sum,
// the add) and each sum chain is at most n / 32 + 8 additions long (one per block, plus
// the lane reductions), so one computation is within γ ≈ (n/32 + 11)·u of the exact
// value, relative to Σ|terms| <= magnitude. Two such computations differ by at most
// twice that; a further factor 2 of margin gives 4·(n/32 + 11)·u = 2·(n/32 + 11)·FLT_EPSILON.
// The absolute term covers products that land among float subnormals (tiny f16 scales
// times tiny activation scales), each off by at most FLT_TRUE_MIN.
inline double rounding_tolerance(int64_t n, double magnitude) {
  const double chain = static_cast<double>(n) / 32.0 + 11.0;
  return 2.0 * chain * FLT_EPSILON * magnitude + 4.0 * static_cast<double>(n) * FLT_TRUE_MIN;
}

// Weight types whose SIMD dot products and GEMM kernels (and interleaved kernels) reproduce
// the scalar reference bit for bit: their float lanes and the order that adds them are
// llama.cpp's x86 ones (vec_dot_ref.cpp), so batches, single tokens and every ISA give
// the same logits.
inline bool bit_exact_on_every_isa(GgmlType type) {
  switch (type) {
    case GgmlType::Q4_1:
    case GgmlType::Q5_1:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::IQ4_XS: return true;
    default: return false;
  }
}

}  // namespace slm::test
