// Dot products: the scalar reference against exact sums over dequantized rows, every SIMD
// family against the scalar reference, the activation converters against llama.cpp's
// rules, and CPU feature detection. SIMD tests run once per ISA family and skip (saying
// which) the families this CPU lacks.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"
#include "kernels/vec_dot.h"
#include "slm/quant.h"
#include "tests/kernels/test_vec_dot_inputs.h"
#include "tests/support/test_data.h"

namespace slm {
namespace {

using test::kActivationKinds;
using test::kDotTypes;
using test::kWeightKinds;

GgmlType expected_activation_type(GgmlType weight) {
  switch (weight) {
    case GgmlType::F32: return GgmlType::F32;
    case GgmlType::F16: return GgmlType::F16;
    case GgmlType::BF16: return GgmlType::BF16;
    case GgmlType::Q4_1:
    case GgmlType::Q5_1: return GgmlType::Q8_1;
    case GgmlType::Q4_0:
    case GgmlType::Q5_0:
    case GgmlType::Q8_0:
    case GgmlType::IQ4_NL: return GgmlType::Q8_0;
    default: return GgmlType::Q8_K;  // Q2_K..Q6_K, IQ4_XS
  }
}

// Row lengths to try: one block, a few, an odd count, and a long row. Float rows also
// around the steps of the SIMD loops (32 elements with AVX2, 64 with AVX-512), with and
// without leftovers.
std::vector<int64_t> row_lengths(GgmlType type) {
  if (test::is_float_type(type)) return {1, 7, 31, 32, 33, 64, 96, 100, 1000};
  const int64_t b = test::block_elems(type);
  if (b == kQK_K) return {b, 2 * b, 3 * b, 9 * b};
  return {b, 2 * b, 3 * b, 5 * b, 33 * b};
}

// One weight row and one activation row (already converted), stored at odd addresses so
// that no kernel can rely on alignment.
struct DotCase {
  GgmlType type;
  int64_t n;
  std::vector<uint8_t> w_storage, a_storage;
  const uint8_t* w() const { return w_storage.data() + 1; }
  const uint8_t* a() const { return a_storage.data() + 1; }
};

DotCase make_case(GgmlType type, int64_t n, test::WeightKind wk, test::ActivationKind ak, std::mt19937& rng) {
  const VecDotKernel& k = *vec_dot_table(Isa::kScalar).find(type);
  const std::vector<uint8_t> w = test::weight_row(type, n, wk, rng);
  const std::vector<float> x = test::activation_floats(n, ak, rng);
  DotCase c{type, n, std::vector<uint8_t>(w.size() + 1), std::vector<uint8_t>(row_size(k.act_type, n) + 1)};
  std::copy(w.begin(), w.end(), c.w_storage.begin() + 1);
  k.quantize(x.data(), c.a_storage.data() + 1, n);
  return c;
}

// Σ|level part|·|a| + Σ|min part|·|a|: what the float rounding of any summation order is
// measured against.
double magnitude(const DotCase& c) {
  const GgmlType act = vec_dot_table(Isa::kScalar).find(c.type)->act_type;
  const test::WeightParts parts = test::weight_parts(c.type, c.w(), c.n);
  const std::vector<float> a = test::dequantized(act, c.a(), c.n);
  double m = 0.0;
  for (size_t e = 0; e < a.size(); ++e) {
    m += (std::fabs(static_cast<double>(parts.levels[e])) + std::fabs(static_cast<double>(parts.mins[e]))) *
         std::fabs(static_cast<double>(a[e]));
  }
  return m;
}

// The exact dot product of the dequantized rows, in double. Q8_1 activations enter the
// min part of Q4_1/Q5_1 through their stored s = f16(d · Σq) (ggml's definition), not
// through Σ a, so that part is taken per block from s.
double exact_dot(const DotCase& c) {
  const GgmlType act = vec_dot_table(Isa::kScalar).find(c.type)->act_type;
  const test::WeightParts parts = test::weight_parts(c.type, c.w(), c.n);
  const std::vector<float> a = test::dequantized(act, c.a(), c.n);
  double sum = 0.0;
  for (size_t e = 0; e < a.size(); ++e) sum += static_cast<double>(parts.levels[e]) * a[e];
  if (act == GgmlType::Q8_1) {
    for (int64_t b = 0; b < c.n / kQK; ++b) {
      block_q8_1 block;
      std::memcpy(&block, c.a() + b * sizeof(block_q8_1), sizeof(block));
      sum += static_cast<double>(parts.mins[static_cast<size_t>(b * kQK)]) * f16_to_f32(block.s);
    }
  } else {
    for (size_t e = 0; e < a.size(); ++e) sum += static_cast<double>(parts.mins[e]) * a[e];
  }
  return sum;
}

std::string describe(const DotCase& c, int wk, int ak) {
  std::ostringstream s;
  s << ggml_type_name(c.type) << " n=" << c.n << " weights#" << wk << " activations#" << ak;
  return s.str();
}

TEST(VecDotTable, EveryTypeHasKernelsAndLlamaCppActivationType) {
  for (Isa isa : kAllIsas) {
    const VecDotTable& table = vec_dot_table(isa);
    EXPECT_EQ(table.isa, isa);
    for (GgmlType type : kDotTypes) {
      SCOPED_TRACE(std::string(isa_name(isa)) + " " + ggml_type_name(type));
      const VecDotKernel* k = table.find(type);
      ASSERT_NE(k, nullptr);
      EXPECT_EQ(k->act_type, expected_activation_type(type));
      // One activation format per weight type, whatever the ISA (SIMD converters write
      // the scalar ones' bytes: EveryIsaWritesTheScalarBytes).
      EXPECT_NE(k->quantize, nullptr);
    }
    for (GgmlType type : {GgmlType::Q8_1, GgmlType::Q8_K, GgmlType::IQ2_XXS, GgmlType::TQ1_0, GgmlType::MXFP4}) {
      EXPECT_EQ(table.find(type), nullptr) << ggml_type_name(type);
    }
  }
}

TEST(VecDotReference, MatchesExactDotOfDequantizedRows) {
  std::mt19937 rng(1234);
  int checked = 0;
  double worst = 0.0;
  for (GgmlType type : kDotTypes) {
    const VecDotFn dot = vec_dot_table(Isa::kScalar).find(type)->dot;
    for (int64_t n : row_lengths(type)) {
      for (int wk = 0; wk < static_cast<int>(std::size(kWeightKinds)); ++wk) {
        for (int ak = 0; ak < static_cast<int>(std::size(kActivationKinds)); ++ak) {
          const DotCase c = make_case(type, n, kWeightKinds[wk], kActivationKinds[ak], rng);
          const double got = dot(n, c.w(), c.a());
          const double want = exact_dot(c);
          const double tolerance = test::rounding_tolerance(n, magnitude(c));
          ASSERT_NEAR(got, want, tolerance) << describe(c, wk, ak);
          worst = std::max(worst, std::fabs(got - want) / tolerance);
          ++checked;
        }
      }
    }
  }
  std::printf("[   INFO   ] %d scalar dot products, largest difference %.3g of the tolerance\n", checked, worst);
}

TEST(VecDotReference, KnownBlocks) {
  // Q8_0 x Q8_0 by hand: levels 1..32 against all 2 (Σ = 1056), d_w = 0.5, d_a = 0.25.
  block_q8_0 w{};
  block_q8_0 a{};
  w.d = f32_to_f16(0.5f);
  a.d = f32_to_f16(0.25f);
  for (int e = 0; e < kQK; ++e) {
    w.qs[e] = static_cast<int8_t>(e + 1);
    a.qs[e] = 2;
  }
  const auto* wp = reinterpret_cast<const uint8_t*>(&w);
  const auto* ap = reinterpret_cast<const uint8_t*>(&a);
  EXPECT_EQ(vec_dot_table(Isa::kScalar).find(GgmlType::Q8_0)->dot(kQK, wp, ap), 1056.0f * 0.125f);

  // Q4_1 uses the stored s, not Σ a: s = 100 although the levels sum to 64.
  block_q4_1 w1{};
  block_q8_1 a1{};
  w1.d = f32_to_f16(1.0f);
  w1.m = f32_to_f16(0.5f);
  for (int j = 0; j < kQK / 2; ++j) w1.qs[j] = 0x21;  // levels 1 (first half) and 2 (second)
  a1.d = f32_to_f16(1.0f);
  a1.s = f32_to_f16(100.0f);
  for (int e = 0; e < kQK; ++e) a1.qs[e] = 2;
  EXPECT_EQ(vec_dot_table(Isa::kScalar).find(GgmlType::Q4_1)->dot(kQK, reinterpret_cast<const uint8_t*>(&w1),
                                                                  reinterpret_cast<const uint8_t*>(&a1)),
            96.0f + 50.0f);
}

TEST(VecDotActivations, Q8_0FollowsLlamaCppX86Rule) {
  // amax = 127 makes the multiplier 127 / amax exactly 1, so x.5 values are ties: the x86
  // rule rounds them to even, ggml's portable reference (quantize_row) away from zero.
  std::vector<float> x(kQK, 0.0f);
  x[0] = 127.0f;
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 3.5f;
  x[4] = 0.5f;
  x[5] = -126.5f;
  std::vector<uint8_t> a(sizeof(block_q8_0));
  vec_dot_table(Isa::kScalar).find(GgmlType::Q8_0)->quantize(x.data(), a.data(), kQK);
  block_q8_0 block;
  std::memcpy(&block, a.data(), sizeof(block));
  EXPECT_EQ(f16_to_f32(block.d), 1.0f);
  const int expected[6] = {127, 2, -2, 4, 0, -126};
  for (int e = 0; e < 6; ++e) EXPECT_EQ(block.qs[e], expected[e]) << e;

  std::vector<uint8_t> portable(sizeof(block_q8_0));
  quantize_row(GgmlType::Q8_0, x.data(), portable.data(), kQK);
  EXPECT_EQ(reinterpret_cast<const block_q8_0*>(portable.data())->qs[1], 3);
}

TEST(VecDotActivations, ConvertersAgreeWithQuantizeRowExceptQ8Ties) {
  std::mt19937 rng(99);
  const int64_t n = 4 * kQK_K;
  for (GgmlType type : kDotTypes) {
    const VecDotKernel& k = *vec_dot_table(Isa::kScalar).find(type);
    for (test::ActivationKind kind : kActivationKinds) {
      const std::vector<float> x = test::activation_floats(n, kind, rng);
      std::vector<uint8_t> got(row_size(k.act_type, n));
      std::vector<uint8_t> portable(got.size());
      k.quantize(x.data(), got.data(), n);
      quantize_row(k.act_type, x.data(), portable.data(), n);
      if (k.act_type != GgmlType::Q8_0 && k.act_type != GgmlType::Q8_1) {
        EXPECT_EQ(got, portable) << ggml_type_name(type);
        continue;
      }
      // Same scales; levels differ by at most one, and only where x · 127 / amax lies
      // within float rounding of a .5 tie. Q8_1's s follows its levels.
      const std::vector<float> xs = x;
      const size_t block_bytes = ggml_type_info(k.act_type).block_bytes;
      const size_t qs_offset = k.act_type == GgmlType::Q8_0 ? offsetof(block_q8_0, qs) : offsetof(block_q8_1, qs);
      for (int64_t b = 0; b < n / kQK; ++b) {
        const uint8_t* g = got.data() + b * block_bytes;
        const uint8_t* p = portable.data() + b * block_bytes;
        EXPECT_EQ(std::memcmp(g, p, 2), 0) << "d of block " << b;
        float amax = 0.0f;
        for (int e = 0; e < kQK; ++e) amax = std::max(amax, std::fabs(xs[b * kQK + e]));
        int sum = 0;
        for (int e = 0; e < kQK; ++e) {
          const auto qg = static_cast<int8_t>(g[qs_offset + e]);
          const auto qp = static_cast<int8_t>(p[qs_offset + e]);
          sum += qg;
          if (qg == qp) continue;
          const double scaled = static_cast<double>(xs[b * kQK + e]) * 127.0 / amax;
          EXPECT_LE(std::abs(qg - qp), 1);
          EXPECT_NEAR(std::fabs(scaled - std::trunc(scaled)), 0.5, 1e-4) << "not a tie: " << scaled;
        }
        if (k.act_type == GgmlType::Q8_1) {
          block_q8_1 q;
          std::memcpy(&q, g, sizeof(q));
          EXPECT_EQ(q.s, f32_to_f16(amax / 127.0f * static_cast<float>(sum)));
        }
      }
    }
  }
}

// Every family's activation converters write the scalar converters' bytes exactly: the
// x86 rule has one rounding per step, so SIMD code has no freedom there.
TEST(VecDotActivations, EveryIsaWritesTheScalarBytes) {
  std::mt19937 rng(4242);
  const int64_t n = 4 * kQK_K;
  int compared = 0;
  for (Isa isa : kAllIsas) {
    if (!cpu_supports(isa)) continue;
    for (GgmlType type : kDotTypes) {
      const VecDotKernel& k = *vec_dot_table(isa).find(type);
      const VecDotKernel& ref = *vec_dot_table(Isa::kScalar).find(type);
      if (k.quantize == ref.quantize) continue;
      for (test::ActivationKind kind : kActivationKinds) {
        const std::vector<float> x = test::activation_floats(n, kind, rng);
        std::vector<uint8_t> got(row_size(k.act_type, n)), want(got.size());
        k.quantize(x.data(), got.data(), n);
        ref.quantize(x.data(), want.data(), n);
        EXPECT_EQ(got, want) << isa_name(isa) << " " << ggml_type_name(type);
        ++compared;
      }
    }
  }
  std::printf("[   INFO   ] %d SIMD activation conversions compared\n", compared);
}

// Q8_K blocks whose sign and scale hinge on one element: the largest magnitude held by
// both signs (the first one decides), by the last element only, NaNs beside it (skipped
// like the scalar rule skips them), and a block of NaNs only (all zero).
TEST(VecDotActivations, Q8_KSignTiesAndNaNsAsScalar) {
  std::vector<std::vector<float>> blocks;
  std::vector<float> x(kQK_K, 0.25f);
  x[7] = -3.0f;
  x[100] = 3.0f;
  blocks.push_back(x);
  x[7] = 3.0f;
  x[100] = -3.0f;
  blocks.push_back(x);
  std::vector<float> last(kQK_K, -1.0f);
  last[kQK_K - 1] = 2.5f;
  blocks.push_back(last);
  std::vector<float> nans(kQK_K, std::nanf(""));
  blocks.push_back(nans);
  nans[9] = -0.5f;
  nans[200] = 0.25f;
  blocks.push_back(nans);
  const VecDotKernel& ref = *vec_dot_table(Isa::kScalar).find(GgmlType::Q4_K);
  for (Isa isa : kAllIsas) {
    if (!cpu_supports(isa)) continue;
    const VecDotKernel& k = *vec_dot_table(isa).find(GgmlType::Q4_K);
    for (const std::vector<float>& block : blocks) {
      std::vector<uint8_t> got(sizeof(block_q8_K)), want(sizeof(block_q8_K));
      k.quantize(block.data(), got.data(), kQK_K);
      ref.quantize(block.data(), want.data(), kQK_K);
      EXPECT_EQ(got, want) << isa_name(isa) << " block starting " << block[0];
    }
  }
}

class VecDotIsa : public ::testing::TestWithParam<Isa> {};

// The family whose kernel a table entry is: the first one in kAllIsas with the same function.
Isa kernel_origin(Isa isa, GgmlType type) {
  const VecDotFn dot = vec_dot_table(isa).find(type)->dot;
  for (Isa candidate : kAllIsas) {
    if (vec_dot_table(candidate).find(type)->dot == dot) return candidate;
  }
  return isa;
}

TEST_P(VecDotIsa, MatchesScalarReference) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);
  const VecDotTable& table = vec_dot_table(isa);
  const VecDotTable& scalar = vec_dot_table(Isa::kScalar);
  std::mt19937 rng(777 + static_cast<unsigned>(isa));
  std::string kernels;
  int checked = 0;
  double worst = 0.0;  // largest |difference| / tolerance seen
  for (GgmlType type : kDotTypes) {
    const VecDotFn dot = table.find(type)->dot;
    const VecDotFn reference = scalar.find(type)->dot;
    if (dot != reference) {
      kernels += std::string(" ") + ggml_type_name(type) + "(" + isa_name(kernel_origin(isa, type)) + ")";
    }
    for (int64_t n : row_lengths(type)) {
      for (int wk = 0; wk < static_cast<int>(std::size(kWeightKinds)); ++wk) {
        for (int ak = 0; ak < static_cast<int>(std::size(kActivationKinds)); ++ak) {
          for (int repeat = 0; repeat < 3; ++repeat) {
            const DotCase c = make_case(type, n, kWeightKinds[wk], kActivationKinds[ak], rng);
            const double got = dot(n, c.w(), c.a());
            const double want = reference(n, c.w(), c.a());
            const double tolerance = test::rounding_tolerance(n, magnitude(c));
            if (test::bit_exact_on_every_isa(type)) {
              ASSERT_EQ(got, want) << describe(c, wk, ak);
            }
            ASSERT_NEAR(got, want, tolerance) << describe(c, wk, ak);
            worst = std::max(worst, std::fabs(got - want) / tolerance);
            ++checked;
          }
        }
      }
    }
  }
  std::printf("[   INFO   ] %s: %d dot products, largest difference %.3g of the tolerance; SIMD kernels:%s\n",
              isa_name(isa), checked, worst, kernels.empty() ? " none" : kernels.c_str());
}

// The VNNI families' dot products are their plain twins' source compiled with VNNI
// (vec_dot_avx2.inc for avx2 and avxvnni, vec_dot_avx512.inc for avx512 and avx512vnni):
// no byte pair of the plain build saturates int16 on any input, so both compute the
// same integers, and then the same floats.
TEST(VecDotVnni, EqualsPlainTwinBitForBit) {
  std::mt19937 rng(2024);
  for (const auto& [plain, vnni] : {std::pair{Isa::kAvx2, Isa::kAvxVnni}, std::pair{Isa::kAvx512, Isa::kAvx512Vnni}}) {
    if (!cpu_supports(vnni)) {
      std::printf("[   INFO   ] skipped %s: this CPU lacks it\n", isa_name(vnni));
      continue;
    }
    int compared = 0;
    for (GgmlType type : kDotTypes) {
      const VecDotFn twin = vec_dot_table(plain).find(type)->dot;
      const VecDotFn dot = vec_dot_table(vnni).find(type)->dot;
      if (dot == twin) continue;
      for (int64_t n : row_lengths(type)) {
        for (int wk = 0; wk < static_cast<int>(std::size(kWeightKinds)); ++wk) {
          for (int ak = 0; ak < static_cast<int>(std::size(kActivationKinds)); ++ak) {
            const DotCase c = make_case(type, n, kWeightKinds[wk], kActivationKinds[ak], rng);
            ASSERT_EQ(dot(n, c.w(), c.a()), twin(n, c.w(), c.a())) << isa_name(vnni) << " " << describe(c, wk, ak);
            ++compared;
          }
        }
      }
    }
    EXPECT_GT(compared, 0) << isa_name(vnni);
    std::printf("[   INFO   ] %s: %d dot products equal to %s's\n", isa_name(vnni), compared, isa_name(plain));
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, VecDotIsa, ::testing::ValuesIn(kAllIsas),
                         [](const ::testing::TestParamInfo<Isa>& p) { return std::string(isa_name(p.param)); });

// Linux lists the CPU flags the kernel saw and enabled; CPUID + XGETBV must agree.
std::set<std::string> proc_cpu_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::set<std::string> flags;
    for (std::string w; words >> w;) flags.insert(w);
    return flags;
  }
  return {};
}

TEST(CpuFeatures, AgreeWithProcCpuinfoAndNest) {
  const CpuFeatures& f = cpu_features();
  std::printf("[   INFO   ] avx2+fma+f16c %d, avx512f %d, avx512bw %d, avx512vl %d, avx512vnni %d, avx-vnni %d; "
              "best %s, selected %s\n",
              f.avx2, f.avx512f, f.avx512bw, f.avx512vl, f.avx512vnni, f.avx_vnni, isa_name(best_isa()),
              isa_name(selected_isa()));
  EXPECT_TRUE(cpu_supports(Isa::kScalar));
  if (cpu_supports(Isa::kAvx512Vnni)) {
    EXPECT_TRUE(cpu_supports(Isa::kAvx512));
  }
  for (Isa isa : {Isa::kAvxVnni, Isa::kAvx512}) {
    if (cpu_supports(isa)) {
      EXPECT_TRUE(cpu_supports(Isa::kAvx2)) << isa_name(isa);
    }
  }
  EXPECT_TRUE(cpu_supports(best_isa()));
  EXPECT_TRUE(cpu_supports(selected_isa()));
#if defined(__x86_64__)
  const std::set<std::string> flags = proc_cpu_flags();
  if (flags.empty()) GTEST_SKIP() << "no /proc/cpuinfo flags";
  const auto has = [&](const char* flag) { return flags.count(flag) != 0; };
  EXPECT_EQ(f.avx2, has("avx2") && has("fma") && has("f16c"));
  EXPECT_EQ(f.avx512f, has("avx512f"));
  EXPECT_EQ(f.avx512bw, has("avx512bw"));
  EXPECT_EQ(f.avx512vl, has("avx512vl"));
  EXPECT_EQ(f.avx512vnni, has("avx512_vnni"));
  EXPECT_EQ(f.avx_vnni, has("avx_vnni"));
#endif
}

TEST(CpuFeatures, ParsesIsaNames) {
  CpuFeatures none;
  CpuFeatures all;
  all.avx2 = all.avx512f = all.avx512bw = all.avx512vl = all.avx512vnni = all.avx_vnni = true;
  EXPECT_EQ(parse_isa("scalar", none), Isa::kScalar);
  EXPECT_EQ(parse_isa("avx2", none), Isa::kAvx2);
  EXPECT_EQ(parse_isa("avxvnni", none), Isa::kAvxVnni);
  EXPECT_EQ(parse_isa("avx512", none), Isa::kAvx512);
  EXPECT_EQ(parse_isa("avx512", all), Isa::kAvx512Vnni);
  EXPECT_EQ(parse_isa("avx512vnni", none), Isa::kAvx512Vnni);
  for (Isa isa : kAllIsas) EXPECT_EQ(parse_isa(isa_name(isa), none), isa) << isa_name(isa);
  EXPECT_FALSE(parse_isa("AVX2", all).has_value());
  EXPECT_FALSE(parse_isa("", all).has_value());
  EXPECT_FALSE(parse_isa("neon", all).has_value());
}

// Run as a child process by the test below: reports what selected_isa() chose.
TEST(CpuFeatures, PrintSelectedIsa) { std::printf("selected=%s\n", isa_name(selected_isa())); }

TEST(CpuFeatures, SlmIsaEnvironmentVariable) {
  char exe[4096] = {};
  const ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (len <= 0) GTEST_SKIP() << "no /proc/self/exe";
  const auto selected_with = [&](const std::string& value) {
    return test::run_command("SLM_ISA=" + test::shell_quote(value) + " " + test::shell_quote(exe) +
                             " --gtest_filter=CpuFeatures.PrintSelectedIsa");
  };
  const test::CommandResult scalar = selected_with("scalar");
  EXPECT_NE(scalar.out.find("selected=scalar"), std::string::npos) << scalar.out;
  EXPECT_EQ(scalar.err, "");
  const test::CommandResult bogus = selected_with("sse9");
  EXPECT_NE(bogus.out.find(std::string("selected=") + isa_name(best_isa())), std::string::npos) << bogus.out;
  EXPECT_NE(bogus.err.find("unknown SLM_ISA=sse9"), std::string::npos) << bogus.err;
  for (Isa isa : kAllIsas) {
    const test::CommandResult r = selected_with(isa_name(isa));
    if (cpu_supports(isa)) {
      EXPECT_NE(r.out.find(std::string("selected=") + isa_name(isa)), std::string::npos) << r.out;
    } else {
      EXPECT_NE(r.err.find("does not support"), std::string::npos) << r.err;
      EXPECT_NE(r.out.find(std::string("selected=") + isa_name(best_isa())), std::string::npos) << r.out;
    }
  }
}

}  // namespace
}  // namespace slm
