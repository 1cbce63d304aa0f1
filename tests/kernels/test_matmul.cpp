// matmul for every ISA family and weight type against the independent oracle: the exact
// product of the dequantized weights with the raw f32 activations. matmul converts
// activations to 8-bit (or f16/bf16) first, as llama.cpp does, so the tolerance is the
// a-priori bound of that conversion error (derived below) plus float rounding.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "kernels/blas_gemm.h"
#include "kernels/cpu_features.h"
#include "kernels/interleaved.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"
#include "kernels/vec_dot.h"
#include "slm/error.h"
#include "slm/quant.h"
#include "tests/kernels/test_vec_dot_inputs.h"

namespace slm {
namespace {

using test::kDotTypes;
using test::Matrix;
using test::random_matrix;

int64_t test_cols(GgmlType type) {
  if (test::is_float_type(type)) return 100;
  return test::block_elems(type) == kQK_K ? 512 : 320;
}

// Largest |x - a| for each element x of a row, where a is what the kernels use in its place.
//   Q8_0 / Q8_1 (32-blocks, d = amax/127, q = round(x·127/amax), a = f16(d)·q): choosing q
//     is off from x/d by at most 1/2 plus the rounding of x·(127/amax), below 2^-16 for
//     |x/d| <= 127; storing d as f16 moves a by |q|·|d - f16(d)| <= 127·(2^-11·d + 2^-25)
//     (relative half-ulp for normal f16, absolute 2^-25 among subnormals).
//   Q8_K (256-blocks, f32 d): the level choice only, d·(1/2 + 2^-16), plus 127·2^-24·d for
//     d = 1/iscale being rounded.
//   F16: half an ulp, 2^-11·|x|, or 2^-25 among subnormals. BF16: 2^-8·|x| (+ 2^-134).
//   F32: exact.
// Each bound gets an extra 2^-15·d (or 2^-20·|x|) for the float rounding of d itself.
std::vector<double> activation_error_bounds(GgmlType act, const std::vector<float>& x) {
  std::vector<double> bound(x.size(), 0.0);
  const int64_t block = act == GgmlType::Q8_K ? kQK_K : kQK;
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = std::fabs(static_cast<double>(x[i]));
    switch (act) {
      case GgmlType::F32: break;
      case GgmlType::F16: bound[i] = v * (std::exp2(-11) + std::exp2(-20)) + std::exp2(-25); break;
      case GgmlType::BF16: bound[i] = v * (std::exp2(-8) + std::exp2(-20)) + std::exp2(-134); break;
      default: {
        const size_t start = i - i % static_cast<size_t>(block);
        double amax = 0.0;
        for (size_t e = start; e < start + static_cast<size_t>(block); ++e) {
          amax = std::max(amax, std::fabs(static_cast<double>(x[e])));
        }
        const double d = amax / 127.0;
        bound[i] = act == GgmlType::Q8_K ? d * (0.5 + std::exp2(-15) + 127.0 * std::exp2(-23))
                                         : d * (0.5 + std::exp2(-15)) + 127.0 * (std::exp2(-11) * d + std::exp2(-25));
      }
    }
  }
  return bound;
}

struct Expected {
  double value;
  double tolerance;
};

// Oracle for one output: Σ w·x in double over dequantized weights and raw activations.
Expected oracle(const Matrix& m, int64_t r, const float* x_row) {
  const GgmlType act = vec_dot_table(Isa::kScalar).find(m.type)->act_type;
  const int64_t n = m.n_cols;
  const uint8_t* row = m.bytes.data() + r * static_cast<int64_t>(row_size(m.type, n));
  const test::WeightParts parts = test::weight_parts(m.type, row, n);
  const std::vector<float> x(x_row, x_row + n);
  const std::vector<double> delta = activation_error_bounds(act, x);
  double value = 0.0;
  double conversion = 0.0;  // Σ |w|·δ: the activation conversion error
  double magnitude = 0.0;   // Σ (|level part| + |min part|)·(|x| + δ): for float rounding
  for (int64_t e = 0; e < n; ++e) {
    const double levels = parts.levels[e];
    const double mins = parts.mins[e];
    value += (levels + mins) * x[e];
    conversion += std::fabs(levels + mins) * delta[e];
    magnitude += (std::fabs(levels) + std::fabs(mins)) * (std::fabs(static_cast<double>(x[e])) + delta[e]);
    // Q4_1/Q5_1 take Σa of a block from the Q8_1 s = f16(d·Σq): one more f16 rounding of
    // that block sum, at most 2^-11 of Σ|a| (2^-10 of Σ|x| with room) or 2^-25.
    if (act == GgmlType::Q8_1) conversion += std::fabs(mins) * (std::exp2(-10) * std::fabs(x[e]) + std::exp2(-25));
  }
  return {value, conversion + test::rounding_tolerance(n, magnitude)};
}

class MatmulIsa : public ::testing::TestWithParam<Isa> {};

TEST_P(MatmulIsa, MatchesDequantizedOracleWithinActivationError) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  std::mt19937 rng(4242 + static_cast<unsigned>(isa));
  double worst = 0.0;  // largest |error| / tolerance
  for (GgmlType type : kDotTypes) {
    for (test::ActivationKind kind : test::kActivationKinds) {
      const int64_t n_cols = test_cols(type);
      const int64_t n_rows = 37;  // odd, and not a multiple of any thread count
      const int64_t n_tokens = 3;
      const Matrix m = random_matrix(type, n_cols, n_rows, rng);
      const std::vector<float> x = test::activation_floats(n_cols * n_tokens, kind, rng);
      std::vector<float> y(static_cast<size_t>(n_rows * n_tokens), NAN);
      matmul(m.view(), x.data(), n_tokens, y.data(), isa);
      for (int64_t t = 0; t < n_tokens; ++t) {
        for (int64_t r = 0; r < n_rows; ++r) {
          const Expected want = oracle(m, r, x.data() + t * n_cols);
          ASSERT_NEAR(y[t * n_rows + r], want.value, want.tolerance)
              << ggml_type_name(type) << " row " << r << " token " << t << " activations#" << static_cast<int>(kind);
          worst = std::max(worst, std::fabs(y[t * n_rows + r] - want.value) / want.tolerance);
        }
      }
    }
  }
  std::printf("[   INFO   ] %s: largest error %.3g of the bound\n", isa_name(isa), worst);
}

// One token (decoding) is the dot kernels and nothing else: each output is bit-identical
// to one call of the ISA's dot product on the converted activations, whichever thread
// computed it. (Several tokens may take the tiled GEMM kernels: test_gemm.cpp.)
TEST_P(MatmulIsa, EqualsRowDotsBitForBit) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  std::mt19937 rng(5);
  for (GgmlType type : kDotTypes) {
    const VecDotKernel& k = *vec_dot_table(isa).find(type);
    const int64_t n_cols = test_cols(type);
    const int64_t n_rows = 301;
    const int64_t n_tokens = 1;
    const Matrix m = random_matrix(type, n_cols, n_rows, rng);
    const std::vector<float> x = test::activation_floats(n_cols * n_tokens, test::ActivationKind::kMixedBlocks, rng);
    std::vector<float> y(static_cast<size_t>(n_rows * n_tokens));
    matmul(m.view(), x.data(), n_tokens, y.data(), isa);
    const size_t act_bytes = row_size(k.act_type, n_cols);
    std::vector<uint8_t> a(act_bytes * n_tokens);
    for (int64_t t = 0; t < n_tokens; ++t) k.quantize(x.data() + t * n_cols, a.data() + t * act_bytes, n_cols);
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int64_t r = 0; r < n_rows; ++r) {
        const float want = k.dot(n_cols, m.bytes.data() + r * m.view().row_bytes, a.data() + t * act_bytes);
        ASSERT_EQ(y[t * n_rows + r], want) << ggml_type_name(type) << " row " << r << " token " << t;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, MatmulIsa, ::testing::ValuesIn(kAllIsas),
                         [](const ::testing::TestParamInfo<Isa>& p) { return std::string(isa_name(p.param)); });

TEST(Matmul, DefaultUsesSelectedIsa) {
  std::mt19937 rng(8);
  const Matrix m = random_matrix(GgmlType::Q4_K, 256, 9, rng);
  const std::vector<float> x = test::activation_floats(256, test::ActivationKind::kGaussian, rng);
  std::vector<float> y1(9);
  std::vector<float> y2(9);
  matmul(m.view(), x.data(), 1, y1.data());
  matmul(m.view(), x.data(), 1, y2.data(), selected_isa());
  EXPECT_EQ(y1, y2);
}

// Matrices sharing an input (Q, K, V; gate and up) go through one call that converts the
// input once per activation type: each output equals its own matmul bit for bit, for one
// token and for a batch, with an interleaved matrix among GGUF-row ones.
TEST(Matmul, SharedInputEqualsSeparateProducts) {
  std::mt19937 rng(21);
  const int64_t n = 512;
  const Matrix q5 = random_matrix(GgmlType::Q5_0, n, 48, rng);
  const Matrix q4k = random_matrix(GgmlType::Q4_K, n, 40, rng);
  const Matrix q8 = random_matrix(GgmlType::Q8_0, n, 17, rng);
  const Matrix f16 = random_matrix(GgmlType::F16, n, 5, rng);
  std::vector<uint8_t> repacked(q5.bytes.size());
  const MatrixView interleaved = interleave(q5.view(), repacked.data());
  const MatrixView ws[] = {interleaved, q4k.view(), q8.view(), f16.view()};
  for (int64_t tokens : {1, 13}) {
    const std::vector<float> x = test::activation_floats(n * tokens, test::ActivationKind::kGaussian, rng);
    std::vector<std::vector<float>> together(std::size(ws)), apart(std::size(ws));
    float* ys[std::size(ws)];
    for (size_t i = 0; i < std::size(ws); ++i) {
      together[i].assign(static_cast<size_t>(ws[i].n_rows * tokens), NAN);
      apart[i].assign(together[i].size(), NAN);
      ys[i] = together[i].data();
      matmul(ws[i], x.data(), tokens, apart[i].data());
    }
    matmul(ws, x.data(), tokens, ys);
    for (size_t i = 0; i < std::size(ws); ++i) EXPECT_EQ(together[i], apart[i]) << "matrix " << i << ", " << tokens << " tokens";
  }
  float* one[1] = {nullptr};
  EXPECT_THROW(matmul(ws, std::vector<float>(n, 1.0f).data(), 1, one), Error);  // outputs missing
}

// Float weights in prompts of kBlasMinTokens tokens or more go through OpenBLAS (when it
// loads): the same products of the same converted activations as our kernels, summed in
// another order. Each of the two sums is within n·u·Σ|w·a| of the exact value (u = 2^-24),
// so they differ by at most 2n·u·Σ|w·a| = n·FLT_EPSILON·Σ|w·a|; twice that is allowed.
// 70 rows cross a tile of 64 converted rows; shorter prompts keep our kernels exactly.
TEST(Matmul, FloatPromptsThroughOpenBlasStayWithinRounding) {
  if (!blas_available()) {
    std::printf("[   INFO   ] skipped: OpenBLAS not loaded (libopenblas.so.0 missing, SLM_BLAS=0 or scalar ISA)\n");
    return;
  }
  std::printf("[   INFO   ] OpenBLAS kernels for core %s\n", blas_core());
  std::mt19937 rng(77);
  const int64_t n = 96, rows = 70;
  for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16}) {
    ASSERT_NE(blas_gemm(type), nullptr) << ggml_type_name(type);
    const Matrix m = random_matrix(type, n, rows, rng);
    for (int64_t tokens : {kBlasMinTokens - 1, kBlasMinTokens, int64_t{45}}) {
      const std::vector<float> x = test::activation_floats(n * tokens, test::ActivationKind::kGaussian, rng);
      std::vector<float> blas(static_cast<size_t>(rows * tokens)), own(blas.size());
      matmul(m.view(), x.data(), tokens, blas.data());
      matmul(m.view(), x.data(), tokens, own.data(), selected_isa());
      if (tokens < kBlasMinTokens) {
        EXPECT_EQ(blas, own) << ggml_type_name(type);
        continue;
      }
      for (int64_t r = 0; r < rows; ++r) {
        const std::vector<float> w = test::dequantized(type, m.bytes.data() + r * m.view().row_bytes, n);
        for (int64_t t = 0; t < tokens; ++t) {
          double magnitude = 0.0;
          for (int64_t k = 0; k < n; ++k) magnitude += std::fabs(static_cast<double>(w[k]) * x[t * n + k]);
          const size_t i = static_cast<size_t>(t * rows + r);
          EXPECT_NEAR(blas[i], own[i], 2.0 * n * FLT_EPSILON * magnitude * (1.0 + std::exp2(-7)))
              << ggml_type_name(type) << " row " << r << " token " << t;
        }
      }
    }
  }
}

TEST(Matmul, RejectsBadShapesAndTypes) {
  std::vector<uint8_t> bytes(4096);
  std::vector<float> x(256, 1.0f);
  std::vector<float> y(8, -1.0f);
  const MatrixView q8k{GgmlType::Q8_K, bytes.data(), 256, 1, sizeof(block_q8_K)};
  EXPECT_THROW(matmul(q8k, x.data(), 1, y.data()), Error);
  const MatrixView iq2{GgmlType::IQ2_XXS, bytes.data(), 256, 1, 66};
  EXPECT_THROW(matmul(iq2, x.data(), 1, y.data()), Error);
  const MatrixView ragged{GgmlType::Q4_0, bytes.data(), 48, 1, 18};
  EXPECT_THROW(matmul(ragged, x.data(), 1, y.data()), Error);
  // No tokens or no rows: nothing written.
  const MatrixView ok{GgmlType::Q8_0, bytes.data(), 32, 2, sizeof(block_q8_0)};
  matmul(ok, x.data(), 0, y.data());
  EXPECT_EQ(y[0], -1.0f);
}

TEST(Matmul, MatrixRowDequantizes) {
  std::mt19937 rng(3);
  const Matrix m = random_matrix(GgmlType::Q6_K, 256, 4, rng);
  std::vector<float> got(256);
  matrix_row(m.view(), 2, got.data());
  EXPECT_EQ(got, test::dequantized(GgmlType::Q6_K, m.bytes.data() + 2 * sizeof(block_q6_K), 256));
}

}  // namespace
}  // namespace slm
