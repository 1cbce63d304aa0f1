// The tiled GEMM kernels (gemm.h) of every SIMD family, called directly and through
// matmul, against the scalar reference dot products on the same converted activations.
// Both compute the same exact integer sum per block; only the float side differs (each
// block's sum split over SIMD lanes before scaling, other addition orders), so each output
// must agree within the float rounding bound of test::rounding_tolerance. The K-quants,
// Q4_1 and Q5_1 keep the dot products' float lanes and order (llama.cpp's), so theirs
// must be equal; the float types' equal their own family's dot products.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/gemm.h"
#include "kernels/interleaved.h"
#include "kernels/matmul.h"
#include "kernels/vec_dot.h"
#include "slm/quant.h"
#include "tests/kernels/test_vec_dot_inputs.h"

namespace slm {
namespace {

using test::ActivationKind;
using test::Matrix;

// The weight types with GEMM kernels: the two real models' types, Q4_0, the other
// 32-element formats of Q4_K_M / Q5_K_M files (Q5_1, IQ4_NL), the other types of K-quant
// mixes, and the float types.
constexpr GgmlType kGemmTypes[] = {GgmlType::Q4_0, GgmlType::Q4_1,  GgmlType::Q5_0,  GgmlType::Q5_1,
                                   GgmlType::Q8_0, GgmlType::IQ4_NL, GgmlType::Q2_K,  GgmlType::Q3_K,
                                   GgmlType::Q4_K, GgmlType::Q5_K,   GgmlType::Q6_K,  GgmlType::IQ4_XS,
                                   GgmlType::F32,  GgmlType::F16,    GgmlType::BF16};

// Float rows of a length that is no multiple of a vector, of a 32-element chunk or of
// the dot products' steps.
int64_t cols_for(GgmlType type) {
  if (test::is_float_type(type)) return 333;
  return test::block_elems(type) == kQK_K ? 512 : 320;
}

// Σ (|level part| + |min part|) · |a| over a row: bounds Σ |term| of both computations.
double magnitude(const test::WeightParts& parts, const std::vector<float>& a) {
  double sum = 0.0;
  for (size_t e = 0; e < a.size(); ++e) {
    sum += (std::fabs(parts.levels[e]) + std::fabs(parts.mins[e])) * std::fabs(static_cast<double>(a[e]));
  }
  return sum;
}

enum class Path { kKernel, kMatmul };

// The n_rows x n_tokens product on `isa` (its GEMM kernel on the whole matrix, or
// matmul) against the scalar dots; returns the largest |difference| / tolerance.
double check(Isa isa, Path path, GgmlType type, int64_t n_rows, int64_t n_tokens, ActivationKind kind,
             std::mt19937& rng) {
  const VecDotKernel& ref = *vec_dot_table(Isa::kScalar).find(type);
  const int64_t n = cols_for(type);
  const Matrix m = test::random_matrix(type, n, n_rows, rng);
  const std::vector<float> x = test::activation_floats(n * n_tokens, kind, rng);
  const test::ConvertedActivations a = test::convert_activations(type, x, n, n_tokens);
  std::vector<float> y(static_cast<size_t>(n_rows * n_tokens), NAN);
  if (path == Path::kMatmul) {
    matmul(m.view(), x.data(), n_tokens, y.data(), isa);
  } else {
    const GemmFn gemm = vec_dot_table(isa).find(type)->gemm;
    gemm(GemmArgs{n, m.bytes.data(), m.view().row_bytes, n_rows, a.bytes.data(), a.row_bytes, n_tokens, y.data(), n_rows});
  }

  double worst = 0.0;
  for (int64_t r = 0; r < n_rows; ++r) {
    const uint8_t* row = m.bytes.data() + r * static_cast<int64_t>(m.view().row_bytes);
    const test::WeightParts parts = test::weight_parts(type, row, n);
    for (int64_t t = 0; t < n_tokens; ++t) {
      const float want = ref.dot(n, row, a.row(t));
      // Q4_1/Q5_1 add their min terms into the same partial sums as the level terms: chains up
      // to twice as long as one term per block, hence the bound for 2n elements.
      const double tolerance = test::rounding_tolerance(2 * n, magnitude(parts, a.values[static_cast<size_t>(t)]));
      const float got = y[static_cast<size_t>(t * n_rows + r)];
      if (test::bit_exact_on_every_isa(type)) {
        EXPECT_EQ(got, want) << isa_name(isa) << " " << ggml_type_name(type) << " " << n_rows << "x" << n_tokens
                             << " row " << r << " token " << t;
      }
      // The float GEMMs compute their family's dot products exactly (gemm_float.inc), so
      // a batch gives what single tokens give.
      if (test::is_float_type(type)) {
        EXPECT_EQ(got, vec_dot_table(isa).find(type)->dot(n, row, a.row(t)))
            << isa_name(isa) << " " << ggml_type_name(type) << " " << n_rows << "x" << n_tokens << " row " << r
            << " token " << t;
      }
      EXPECT_NEAR(got, want, tolerance) << isa_name(isa) << " " << ggml_type_name(type) << " " << n_rows << "x"
                                        << n_tokens << " row " << r << " token " << t << " activations#"
                                        << static_cast<int>(kind);
      if (tolerance > 0.0) worst = std::max(worst, std::fabs(got - want) / tolerance);
    }
  }
  return worst;
}

class GemmIsa : public ::testing::TestWithParam<Isa> {};

// Odd and tile-edge sizes (register tiles of 1-4 rows by 3-4 tokens, VNNI groups of 16
// rows by 6-8 tokens on zmm and 8 by 4 on ymm, twice the rows for K-quants, float tiles
// of 1-2 rows by 3 tokens): single rows, fewer tokens than a tile, one over and one under,
// and counts that fit no tile.
TEST_P(GemmIsa, MatchesScalarDotsAtTileEdges) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  std::mt19937 rng(11 + static_cast<unsigned>(isa));
  double worst = 0.0;
  int round = 0;
  for (GgmlType type : kGemmTypes) {
    for (int64_t n_rows : {1, 3, 4, 5, 15, 17, 31, 33}) {
      for (int64_t n_tokens : {1, 2, 3, 4, 5, 7, 9, 13}) {
        const ActivationKind kind = test::kActivationKinds[static_cast<size_t>(round++) % 3];
        worst = std::max(worst, check(isa, Path::kKernel, type, n_rows, n_tokens, kind, rng));
      }
    }
  }
  std::printf("[   INFO   ] %s: largest difference %.3g of the tolerance\n", isa_name(isa), worst);
}

// Through matmul: rows for several 16-row groups per thread (it splits rows between
// threads in multiples of 16) and a partial last group, tokens for several token tiles
// above the kernel's gemm_min_tokens (37 where that is 2).
TEST_P(GemmIsa, MatchesScalarDotsAcrossChunks) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  std::mt19937 rng(23 + static_cast<unsigned>(isa));
  for (GgmlType type : kGemmTypes) {
    const int64_t n_tokens = vec_dot_table(isa).find(type)->gemm_min_tokens + 35;
    check(isa, Path::kMatmul, type, 101, n_tokens, ActivationKind::kMixedBlocks, rng);
  }
}

// The scalar family has no GEMM kernels (SimdTablesHaveKernels).
constexpr Isa kSimdIsas[] = {Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512, Isa::kAvx512Vnni};
INSTANTIATE_TEST_SUITE_P(SimdIsas, GemmIsa, ::testing::ValuesIn(kSimdIsas),
                         [](const ::testing::TestParamInfo<Isa>& p) { return std::string(isa_name(p.param)); });

// The SIMD families have a GEMM kernel for each of these types (so the tests above
// exercise them), and one on the interleaved layout for the interleavable types
// (test_interleaved.cpp); the scalar family multiplies token by token on GGUF rows.
TEST(Gemm, SimdTablesHaveKernels) {
  for (GgmlType type : kGemmTypes) {
    EXPECT_EQ(vec_dot_table(Isa::kScalar).find(type)->gemm, nullptr) << ggml_type_name(type);
    EXPECT_EQ(vec_dot_table(Isa::kScalar).find(type)->interleaved, nullptr) << ggml_type_name(type);
#if defined(__x86_64__)
    for (Isa isa : kSimdIsas) {
      const VecDotKernel& kernel = *vec_dot_table(isa).find(type);
      EXPECT_NE(kernel.gemm, nullptr) << isa_name(isa) << " " << ggml_type_name(type);
      EXPECT_EQ(kernel.interleaved != nullptr, interleavable(type)) << isa_name(isa) << " " << ggml_type_name(type);
    }
#endif
  }
}

}  // namespace
}  // namespace slm
