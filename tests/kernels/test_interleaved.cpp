// The interleaved weight layout (interleaved.h): packing restores every GGUF row byte for
// byte, and the kernels on it, called through matmul on every ISA family, agree with the
// scalar dot products of the original rows: the same exact integer sum per block, so
// only float rounding may differ (test::rounding_tolerance), and not even that for the
// types whose kernels keep llama.cpp's float lanes and order (Q4_1, Q5_1, Q4_K, Q6_K):
// those bit for bit. Row counts cover groups of 16 with and without a tail, lengths one
// and two blocks and a few more, extreme scales (the weight kinds of random_matrix) and
// hostile activations.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/interleaved.h"
#include "kernels/matmul.h"
#include "kernels/vec_dot.h"
#include "slm/error.h"
#include "slm/quant.h"
#include "tests/kernels/test_vec_dot_inputs.h"

namespace slm {
namespace {

using test::ActivationKind;

constexpr GgmlType kTypes[] = {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,
                               GgmlType::Q8_0, GgmlType::IQ4_NL, GgmlType::Q4_K, GgmlType::Q6_K};
constexpr int64_t kRowCounts[] = {1, 15, 16, 17, 33, 48, 101};
constexpr int64_t kBlockCounts[] = {1, 2, 3, 10};  // blocks per row

int64_t cols(GgmlType type, int64_t blocks) { return blocks * test::block_elems(type); }

struct Interleaved {
  std::vector<uint8_t> bytes;
  MatrixView view;
};

Interleaved interleaved_copy(const test::Matrix& m) {
  Interleaved out{std::vector<uint8_t>(m.bytes.size()), {}};
  out.view = interleave(m.view(), out.bytes.data());
  return out;
}

TEST(Interleave, RestoresEveryRowExactly) {
  std::mt19937 rng(5);
  for (GgmlType type : kTypes) {
    for (int64_t n_rows : kRowCounts) {
      for (int64_t blocks : kBlockCounts) {
        const int64_t n_cols = cols(type, blocks);
        const test::Matrix m = test::random_matrix(type, n_cols, n_rows, rng);
        const Interleaved packed = interleaved_copy(m);
        EXPECT_EQ(packed.view.layout, MatrixLayout::kInterleaved);
        const size_t row_bytes = m.view().row_bytes;
        std::vector<uint8_t> row(row_bytes);
        std::vector<float> got(static_cast<size_t>(n_cols)), want(static_cast<size_t>(n_cols));
        for (int64_t r = 0; r < n_rows; ++r) {
          interleaved_row(packed.view, r, row.data());
          const std::vector<uint8_t> original(m.bytes.begin() + r * static_cast<int64_t>(row_bytes),
                                              m.bytes.begin() + (r + 1) * static_cast<int64_t>(row_bytes));
          ASSERT_EQ(row, original) << ggml_type_name(type) << " " << n_rows << "x" << n_cols << " row " << r;
          // Embedding lookups read rows of the interleaved matrix through matrix_row.
          matrix_row(packed.view, r, got.data());
          matrix_row(m.view(), r, want.data());
          ASSERT_EQ(0, std::memcmp(got.data(), want.data(), got.size() * sizeof(float))) << "row " << r;
        }
      }
    }
  }
}

TEST(Interleave, RejectsOtherTypes) {
  std::mt19937 rng(6);
  const test::Matrix m = test::random_matrix(GgmlType::Q5_K, 256, 16, rng);
  std::vector<uint8_t> out(m.bytes.size());
  EXPECT_FALSE(interleavable(GgmlType::Q5_K));
  EXPECT_THROW(interleave(m.view(), out.data()), Error);
}

class InterleavedIsa : public ::testing::TestWithParam<Isa> {};

// matmul on the interleaved copy (the family's kernel for the layout, or restored rows
// where it has none) against the scalar dots of the GGUF rows; returns the largest
// |difference| / tolerance.
double check(Isa isa, GgmlType type, int64_t n_rows, int64_t n_cols, int64_t n_tokens, ActivationKind kind,
             std::mt19937& rng) {
  const VecDotKernel& ref = *vec_dot_table(Isa::kScalar).find(type);
  const test::Matrix m = test::random_matrix(type, n_cols, n_rows, rng);
  const Interleaved packed = interleaved_copy(m);
  const std::vector<float> x = test::activation_floats(n_cols * n_tokens, kind, rng);
  const test::ConvertedActivations a = test::convert_activations(type, x, n_cols, n_tokens);
  std::vector<float> y(static_cast<size_t>(n_rows * n_tokens), NAN);
  matmul(packed.view, x.data(), n_tokens, y.data(), isa);

  double worst = 0.0;
  const size_t row_bytes = m.view().row_bytes;
  for (int64_t r = 0; r < n_rows; ++r) {
    const uint8_t* row = m.bytes.data() + static_cast<size_t>(r) * row_bytes;
    const test::WeightParts parts = test::weight_parts(type, row, n_cols);
    for (int64_t t = 0; t < n_tokens; ++t) {
      const float want = ref.dot(n_cols, row, a.row(t));
      const float got = y[static_cast<size_t>(t * n_rows + r)];
      double magnitude = 0.0;
      for (size_t e = 0; e < parts.levels.size(); ++e) {
        magnitude += (std::fabs(static_cast<double>(parts.levels[e])) + std::fabs(static_cast<double>(parts.mins[e]))) *
                     std::fabs(static_cast<double>(a.values[static_cast<size_t>(t)][e]));
      }
      // Q4_1/Q5_1 sum their min terms apart and add the two sums: one more addition than
      // the chains of n_cols / 32 blocks that the bound for n_cols elements allows for.
      const double tolerance = test::rounding_tolerance(n_cols + kQK, magnitude);
      if (test::bit_exact_on_every_isa(type)) {
        EXPECT_EQ(got, want) << isa_name(isa) << " " << ggml_type_name(type) << " " << n_rows << "x" << n_cols
                             << " tokens " << n_tokens << " row " << r << " token " << t;
      }
      EXPECT_NEAR(got, want, tolerance) << isa_name(isa) << " " << ggml_type_name(type) << " " << n_rows << "x"
                                        << n_cols << " tokens " << n_tokens << " row " << r << " token " << t;
      if (tolerance > 0.0) worst = std::max(worst, std::fabs(got - want) / tolerance);
    }
  }
  return worst;
}

TEST_P(InterleavedIsa, MatchesScalarDotsOfTheOriginalRows) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  std::mt19937 rng(31 + static_cast<unsigned>(isa));
  double worst = 0.0;
  int round = 0;
  for (GgmlType type : kTypes) {
    for (int64_t n_rows : kRowCounts) {
      for (int64_t blocks : kBlockCounts) {
        const int64_t n_cols = cols(type, blocks);
        // One token (decoding), fewer than a token tile, tile edges and several tiles.
        for (int64_t n_tokens : {1, 2, 3, 5, 8, 9, 19}) {
          const ActivationKind kind = test::kActivationKinds[static_cast<size_t>(round++) % 3];
          worst = std::max(worst, check(isa, type, n_rows, n_cols, n_tokens, kind, rng));
        }
      }
    }
  }
  std::printf("[   INFO   ] %s: largest difference %.3g of the tolerance\n", isa_name(isa), worst);
}

// Families without a kernel for the layout take their dot products of the restored rows:
// bit for bit what they compute on the GGUF rows.
TEST_P(InterleavedIsa, FallbackEqualsRowMajorResult) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  std::mt19937 rng(41);
  for (GgmlType type : kTypes) {
    if (vec_dot_table(isa).find(type)->interleaved != nullptr) continue;
    const int64_t n = cols(type, 3);
    const test::Matrix m = test::random_matrix(type, n, 37, rng);
    const Interleaved packed = interleaved_copy(m);
    const std::vector<float> x = test::activation_floats(n * 3, ActivationKind::kGaussian, rng);
    std::vector<float> want(37 * 3), got(37 * 3);
    matmul(m.view(), x.data(), 3, want.data(), isa);
    matmul(packed.view, x.data(), 3, got.data(), isa);
    EXPECT_EQ(got, want) << isa_name(isa) << " " << ggml_type_name(type);
  }
}

// The kernels for the layout of every family (interleaved_avx2.cpp, interleaved_vnni.inc
// on ymm and zmm) add the same exact block sums with the same fused multiply-adds in
// block order, so they agree bit for bit (whole groups only: tail rows take each
// family's dot products).
TEST(InterleavedKernels, EveryFamilyComputesTheSameFloats) {
  std::mt19937 rng(51);
  for (GgmlType type : kTypes) {
    const int64_t n = cols(type, 10);
    const test::Matrix m = test::random_matrix(type, n, 48, rng);
    const Interleaved packed = interleaved_copy(m);
    const std::vector<float> x = test::activation_floats(n * 9, ActivationKind::kMixedBlocks, rng);
    std::vector<float> first;
    Isa first_isa = Isa::kScalar;
    for (Isa isa : kAllIsas) {
      if (!cpu_supports(isa) || vec_dot_table(isa).find(type)->interleaved == nullptr) continue;
      std::vector<float> y(48 * 9);
      matmul(packed.view, x.data(), 9, y.data(), isa);
      if (first.empty()) {
        first = y;
        first_isa = isa;
        continue;
      }
      EXPECT_EQ(y, first) << ggml_type_name(type) << ": " << isa_name(isa) << " against " << isa_name(first_isa);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, InterleavedIsa, ::testing::ValuesIn(kAllIsas),
                         [](const ::testing::TestParamInfo<Isa>& p) { return std::string(isa_name(p.param)); });

}  // namespace
}  // namespace slm
