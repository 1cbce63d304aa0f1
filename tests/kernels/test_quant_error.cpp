// Quantize -> dequantize error of every quantizable type on several data distributions,
// against bounds derived from each format's bit width.
//
// The bound. A format stores each group of elements (the elements sharing one scale)
// as levels on a grid with step D, fixed by the group's values and the format's bits:
// D = amax / 8 for Q4_0 (16 levels from -8 d), range / 15 for Q4_1, and so on (kModels).
// Rounding to the nearest level leaves an error uniform in +-D/2, whose RMS is D/sqrt(12).
// On top of that comes the error of the stored scales:
//   - f16 rounding of a scale: relative 2^-11 (we allow 2^-10), and when the scale is an
//     f16 subnormal, an absolute 2^-25 times the largest level it multiplies;
//   - K-quants and IQ4_XS store sub-block scales (and mins) as integer multiples of a
//     super-block scale d = largest / 63 (Q4_K, Q5_K), / 15 (Q2_K), / 32 (Q3_K, IQ4_XS)
//     or / 128 (Q6_K); a sub-block scale is then off by up to d/2, which moves an
//     element on level q by q * d/2, at most nmax * d/2, and a min by up to dmin/2.
//     We take 1.1 x the largest sub-block step for "largest" (a least-squares scale may
//     exceed range / nmax slightly) and add one f16 subnormal unit (2^-24) since d is
//     rounded up.
// The bound is 1.25 x RMS(D / sqrt(12)) + RMS(scale error): the 25% covers the level
// sets that are not symmetric (Q4_0's +7 vs -8: the far extreme of the other sign may
// clip by one step) and the non-uniform IQ4_NL grid (its table spans 240 units in 15
// gaps with amax at 127 units: a mean step of about amax / 8, as Q4_0). The test prints
// the RMS error relative to the RMS of the input next to the bound, also relative.
//
// Least-squares quantizers (K-quants, IQ4_NL, IQ4_XS) must in addition beat the plain
// uniform grid on Gaussian data (error below RMS(D / sqrt(12)), no slack), since their
// search includes that grid.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "slm/ggml_type.h"
#include "slm/quant.h"

namespace slm {
namespace {

enum class Grid {
  kSymmetric,       // step = amax / steps
  kAffine,          // step = (max - min) / steps
  kAffineFromZero,  // step = (max - min(min, 0)) / steps: the min can only be subtracted
};

struct ErrorModel {
  GgmlType type;
  int group;          // elements sharing one step
  Grid grid;
  double steps;
  int max_level;      // largest |level| a stored f16 scale multiplies (0: the scale is f32)
  int scale_levels;   // K-quants: sub-block scales are multiples of largest / scale_levels
  bool least_squares; // our own search-based quantizer
};

constexpr ErrorModel kModels[] = {
    {GgmlType::Q4_0, 32, Grid::kSymmetric, 8, 8, 0, false},
    {GgmlType::Q4_1, 32, Grid::kAffine, 15, 16, 0, false},  // level 15 plus the f16 min
    {GgmlType::Q5_0, 32, Grid::kSymmetric, 16, 16, 0, false},
    {GgmlType::Q5_1, 32, Grid::kAffine, 31, 32, 0, false},
    {GgmlType::Q8_0, 32, Grid::kSymmetric, 127, 127, 0, false},
    {GgmlType::Q8_1, 32, Grid::kSymmetric, 127, 127, 0, false},
    {GgmlType::Q8_K, 256, Grid::kSymmetric, 127, 0, 0, false},
    {GgmlType::Q4_K, 32, Grid::kAffineFromZero, 15, 0, 63, true},
    {GgmlType::Q5_K, 32, Grid::kAffineFromZero, 31, 0, 63, true},
    {GgmlType::Q6_K, 16, Grid::kSymmetric, 32, 0, 128, true},
    {GgmlType::Q2_K, 16, Grid::kAffineFromZero, 3, 0, 15, true},
    {GgmlType::Q3_K, 16, Grid::kSymmetric, 4, 0, 32, true},
    {GgmlType::IQ4_NL, 32, Grid::kSymmetric, 8, 127, 0, true},
    {GgmlType::IQ4_XS, 32, Grid::kSymmetric, 8, 0, 32, true},
};

constexpr double kSlack = 1.25;
constexpr int kSuperBlock = 256;

struct GroupStats {
  double amax, step, min_magnitude;  // min_magnitude: what an affine-from-zero min subtracts
};

GroupStats group_stats(const float* x, const ErrorModel& model) {
  float lo = x[0];
  float hi = x[0];
  float amax = 0.0f;
  for (int i = 0; i < model.group; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
    amax = std::max(amax, std::fabs(x[i]));
  }
  switch (model.grid) {
    case Grid::kSymmetric: return {amax, amax / model.steps, 0};
    case Grid::kAffine: return {amax, (static_cast<double>(hi) - lo) / model.steps, 0};
    case Grid::kAffineFromZero: {
      const double from = std::min(lo, 0.0f);
      return {amax, (hi - from) / model.steps, -from};
    }
  }
  return {};
}

struct Bound {
  double rounding;  // RMS of D / sqrt(12)
  double total;     // kSlack * rounding + RMS of the scale error
};

Bound error_bound(const std::vector<float>& x, const ErrorModel& model) {
  double rounding_sq = 0;
  double scale_sq = 0;
  const size_t n_groups = x.size() / model.group;
  const int groups_per_super = kSuperBlock / model.group;
  std::vector<GroupStats> stats(n_groups);
  for (size_t g = 0; g < n_groups; ++g) stats[g] = group_stats(x.data() + g * model.group, model);
  for (size_t g = 0; g < n_groups; ++g) {
    double scale_error = std::ldexp(stats[g].amax, -10) + model.max_level * 0x1p-25;
    if (model.scale_levels > 0) {
      const size_t first = g / groups_per_super * groups_per_super;
      double largest_step = 0;
      double largest_min = 0;
      for (size_t k = first; k < first + groups_per_super; ++k) {
        largest_step = std::max(largest_step, stats[k].step);
        largest_min = std::max(largest_min, stats[k].min_magnitude);
      }
      const double d = 1.1 * largest_step / model.scale_levels + 0x1p-24;
      const double dmin = largest_min / model.scale_levels + 0x1p-24;
      scale_error += model.steps * d / 2 + (model.grid == Grid::kAffineFromZero ? dmin / 2 : 0.0);
    }
    rounding_sq += stats[g].step * stats[g].step / 12;
    scale_sq += scale_error * scale_error;
  }
  const double rounding = std::sqrt(rounding_sq / static_cast<double>(n_groups));
  return {rounding, kSlack * rounding + std::sqrt(scale_sq / static_cast<double>(n_groups))};
}

double rms(const std::vector<float>& v) {
  double sum = 0;
  for (float f : v) sum += static_cast<double>(f) * f;
  return std::sqrt(sum / static_cast<double>(v.size()));
}

std::vector<float> round_trip(GgmlType type, const std::vector<float>& x) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  std::vector<uint8_t> bytes(x.size() / info.block_elems * info.block_bytes);
  quantize_row(type, x.data(), bytes.data(), static_cast<int64_t>(x.size()));
  std::vector<float> y(x.size());
  dequantize_row(type, bytes.data(), y.data(), static_cast<int64_t>(x.size()));
  return y;
}

constexpr size_t kN = 256 * 64;

struct Distribution {
  const char* name;
  std::vector<float> (*make)(std::mt19937& rng);
};

std::vector<float> gaussian(std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(kN);
  for (float& v : x) v = normal(rng);
  return x;
}

const Distribution kDistributions[] = {
    {"gaussian", gaussian},
    {"uniform",
     [](std::mt19937& rng) {
       std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
       std::vector<float> x(kN);
       for (float& v : x) v = uniform(rng);
       return x;
     }},
    {"shifted gaussian",  // mostly positive: exercises the mins
     [](std::mt19937& rng) {
       std::vector<float> x = gaussian(rng);
       for (float& v : x) v += 3.0f;
       return x;
     }},
    {"one huge outlier per 256",
     [](std::mt19937& rng) {
       std::vector<float> x = gaussian(rng);
       for (size_t b = 0; b < kN / 256; ++b) x[b * 256 + rng() % 256] = (b % 2 != 0) ? 1000.0f : -1000.0f;
       return x;
     }},
    {"constant per 32",
     [](std::mt19937& rng) {
       std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
       std::vector<float> x(kN);
       for (size_t b = 0; b < kN / 32; ++b) std::fill_n(x.begin() + b * 32, 32, uniform(rng));
       return x;
     }},
    {"tiny (f16 subnormal scales)",
     [](std::mt19937& rng) {
       std::vector<float> x = gaussian(rng);
       for (float& v : x) v *= 1e-5f;
       return x;
     }},
};

TEST(QuantError, WithinBitWidthBounds) {
  for (const ErrorModel& model : kModels) {
    for (const Distribution& distribution : kDistributions) {
      std::mt19937 rng(7);
      const std::vector<float> x = distribution.make(rng);
      const std::vector<float> y = round_trip(model.type, x);
      std::vector<float> error(x.size());
      for (size_t i = 0; i < x.size(); ++i) error[i] = y[i] - x[i];
      const double x_rms = rms(x);
      const double relative = rms(error) / x_rms;
      const Bound bound = error_bound(x, model);
      const std::string label = std::string(ggml_type_name(model.type)) + " on " + distribution.name;
      std::printf("%-40s relative RMS error %.5f, bound %.5f (uniform-grid rounding alone %.5f)\n", label.c_str(),
                  relative, bound.total / x_rms, bound.rounding / x_rms);
      EXPECT_LE(relative, bound.total / x_rms) << label;
      if (model.least_squares && distribution.make == gaussian) {
        EXPECT_LE(relative, bound.rounding / x_rms) << label << ": worse than a plain uniform grid";
      }
    }
  }
}

TEST(QuantError, AllZeroBlocksStayZero) {
  const std::vector<float> zeros(kN, 0.0f);
  for (const ErrorModel& model : kModels) {
    const std::vector<float> y = round_trip(model.type, zeros);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], 0.0f) << ggml_type_name(model.type) << " at " << i;
  }
}

// A constant block is representable in every format up to the rounding of its scale
// (magnitudes from 0.5 keep every scale, down to Q6_K's c / 4096, a normal f16).
TEST(QuantError, ConstantBlocksAreExactUpToScaleRounding) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> magnitude(0.5f, 3.0f);
  std::vector<float> x(kN);
  for (size_t b = 0; b < kN / 256; ++b) {
    std::fill_n(x.begin() + b * 256, 256, (b % 2 != 0 ? -1.0f : 1.0f) * magnitude(rng));
  }
  for (const ErrorModel& model : kModels) {
    const std::vector<float> y = round_trip(model.type, x);
    for (size_t i = 0; i < y.size(); ++i) {
      ASSERT_LE(std::fabs(y[i] - x[i]), std::ldexp(std::fabs(x[i]), -10)) << ggml_type_name(model.type) << " at " << i;
    }
  }
}

// Our own quantizers (K-quants, IQ4_NL, IQ4_XS) saturate their f16 scales at the largest
// finite f16: rows far beyond what the format can represent clip instead of decoding to
// inf or NaN, and float subnormal rows (whose scales underflow f16) decode to about
// zero. Each row is Gaussian with one outlier per block (at 30x, up to 3e38, so ranges
// overflow float) so both extremes of the searches are hit.
constexpr GgmlType kOwnQuantizers[] = {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K,   GgmlType::Q5_K,
                                       GgmlType::Q6_K, GgmlType::IQ4_NL, GgmlType::IQ4_XS};

TEST(QuantError, ExtremeMagnitudesDecodeToFiniteValues) {
  constexpr float kMagnitudes[] = {1e-45f, 1e-40f, 1e-30f, 1e-10f, 1e6f, 1e20f, 1e37f};
  for (const GgmlType type : kOwnQuantizers) {
    for (const float magnitude : kMagnitudes) {
      std::mt19937 rng(13);
      std::vector<float> x = gaussian(rng);
      for (size_t b = 0; b < kN / 32; ++b) x[b * 32 + rng() % 32] = (b % 2 != 0) ? 10.0f : -10.0f;
      float amax = 0.0f;
      for (float& v : x) {
        v = std::clamp(v * magnitude, -3e38f, 3e38f);
        amax = std::max(amax, std::fabs(v));
      }
      const std::vector<float> y = round_trip(type, x);
      const std::string label = std::string(ggml_type_name(type)) + " x " + std::to_string(magnitude);
      for (size_t i = 0; i < y.size(); ++i) {
        ASSERT_TRUE(std::isfinite(y[i])) << label << " at " << i;
        // Within the input's range plus one smallest-f16 step for each of scale and min.
        ASSERT_LE(std::fabs(y[i]), 2.0f * amax + 0x1p-17f) << label << " at " << i;
      }
    }
  }
}

// A NaN or infinity in the input spoils its own block at most: the other blocks of the
// row come out exactly as when quantized without it.
TEST(QuantError, NonFiniteInputsStayInTheirBlock) {
  std::mt19937 rng(17);
  const std::vector<float> clean = gaussian(rng);
  for (const GgmlType type : kOwnQuantizers) {
    const GgmlTypeInfo& info = ggml_type_info(type);
    std::vector<float> spoiled = clean;
    spoiled[3] = std::numeric_limits<float>::quiet_NaN();
    spoiled[info.block_elems + 5] = std::numeric_limits<float>::infinity();
    spoiled[2 * info.block_elems + 7] = -std::numeric_limits<float>::infinity();
    const std::vector<float> expected = round_trip(type, clean);
    const std::vector<float> y = round_trip(type, spoiled);
    for (size_t i = 3 * info.block_elems; i < y.size(); ++i) {
      ASSERT_EQ(y[i], expected[i]) << ggml_type_name(type) << " at " << i;
    }
  }
}

// F16/BF16 store each value rounded to nearest: relative error at most half an ulp
// (2^-11, 2^-8), or half the smallest f16 subnormal (2^-25) below f16's normal range.
TEST(QuantError, FloatTypesRoundEachElement) {
  std::mt19937 rng(11);
  std::vector<float> x = gaussian(rng);
  for (size_t i = 0; i < x.size(); i += 3) x[i] *= 1e-6f;
  const std::vector<float> f16 = round_trip(GgmlType::F16, x);
  const std::vector<float> bf16 = round_trip(GgmlType::BF16, x);
  const std::vector<float> f32 = round_trip(GgmlType::F32, x);
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_LE(std::fabs(f16[i] - x[i]), std::max(std::ldexp(std::fabs(x[i]), -11), 0x1p-25f)) << i;
    ASSERT_LE(std::fabs(bf16[i] - x[i]), std::ldexp(std::fabs(x[i]), -8)) << i;
    ASSERT_EQ(f32[i], x[i]);
  }
}

}  // namespace
}  // namespace slm
