// slm-bench gemm: single-thread speed of prompt-sized products (512 tokens unless
// --tokens) on the weight shapes of the two real models (and Gemma's attn_output in the
// types of other K-quant mixes, SmolLM2 FFN matrices of the other 32-element and float
// types), in Gop/s (2 ops per weight x token), for each SIMD ISA
// family: the per-token dot-product loop that decoding uses against the tiled GEMM
// kernel, and for the interleavable types a second line: the kernel on the layout they
// are repacked into at load time. Time is this thread's CPU time (see kernel_inputs.h).
// Then matmul itself (activation conversion included) with the selected ISA on 1 and 2
// OpenMP threads, in wall-clock time, which other processes on the machine do disturb,
// and for float types OpenBLAS's sgemm, which matmul uses for them from 32 tokens.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench_commands.h"
#include "kernel_inputs.h"
#include "kernels/blas_gemm.h"
#include "kernels/cpu_features.h"
#include "kernels/gemm.h"
#include "kernels/interleaved.h"
#include "kernels/matmul.h"
#include "kernels/vec_dot.h"
#include "slm/ggml_type.h"

namespace {

struct Shape {
  const char* use;
  slm::GgmlType type;
  int64_t n_rows, n_cols;
};


// Best of three timings of `work`, in Gop/s for a rows x cols x tokens product.
double gops(const Shape& s, int64_t tokens, const std::function<void()>& work) {
  double best = 1e30;
  for (int trial = 0; trial < 3; ++trial) {
    const double start = slm::bench::thread_seconds();
    work();
    best = std::min(best, slm::bench::thread_seconds() - start);
  }
  return 2.0 * static_cast<double>(s.n_rows * s.n_cols * tokens) / best / 1e9;
}

// The same in wall-clock time.
double wall_gops(const Shape& s, int64_t tokens, const std::function<void()>& work) {
  double best = 1e30;
  for (int trial = 0; trial < 3; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    work();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return 2.0 * static_cast<double>(s.n_rows * s.n_cols * tokens) / best / 1e9;
}

// Float weights through OpenBLAS's sgemm (blas_gemm.h), which matmul takes from
// kBlasMinTokens tokens on: one thread, its CPU time, activations converted as for the
// selected family.
void print_blas(const Shape& s, const slm::MatrixView& w, const std::vector<float>& x, int64_t tokens) {
  const slm::VecDotKernel& k = *slm::active_vec_dot_table().find(s.type);
  const size_t act_bytes = slm::row_size(k.act_type, s.n_cols);
  std::vector<uint8_t> a(act_bytes * static_cast<size_t>(tokens));
  for (int64_t t = 0; t < tokens; ++t) k.quantize(x.data() + t * s.n_cols, a.data() + t * act_bytes, s.n_cols);
  std::vector<float> y(static_cast<size_t>(s.n_rows * tokens));
  const slm::GemmArgs args{s.n_cols, w.data, w.row_bytes, s.n_rows, a.data(), act_bytes, tokens, y.data(), s.n_rows};
  const slm::GemmFn sgemm = slm::blas_gemm(s.type);
  std::printf("%-20s   openblas (%s kernels): %.1f\n", "", slm::blas_core(), gops(s, tokens, [&] { sgemm(args); }));
}

// The matrix repacked as at load time (interleaved.h) through each family's kernel for
// that layout, which prompts of repacked models use: "-" where a family has none.
void print_interleaved(const Shape& s, const slm::MatrixView& rows, const std::vector<float>& x, int64_t tokens) {
  std::vector<uint8_t> packed_bytes(static_cast<size_t>(rows.n_rows) * rows.row_bytes);
  const slm::InterleavedParts parts = slm::interleaved_parts(slm::interleave(rows, packed_bytes.data()));
  std::vector<float> y(static_cast<size_t>(s.n_rows * tokens));
  std::printf("%-20s %-18s", "", "  interleaved");
  for (slm::Isa isa : slm::kAllIsas) {
    if (isa == slm::Isa::kScalar) continue;
    const slm::VecDotKernel& k = *slm::vec_dot_table(isa).find(s.type);
    if (!slm::cpu_supports(isa) || k.interleaved == nullptr) {
      std::printf("%20s", slm::cpu_supports(isa) ? "-" : "n/a");
      continue;
    }
    const size_t act_bytes = slm::row_size(k.act_type, s.n_cols);
    std::vector<uint8_t> a(act_bytes * static_cast<size_t>(tokens));
    for (int64_t t = 0; t < tokens; ++t) k.quantize(x.data() + t * s.n_cols, a.data() + t * act_bytes, s.n_cols);
    const slm::InterleavedArgs args{s.n_cols, parts.qs, parts.scales, parts.n_groups, a.data(), act_bytes, tokens,
                                    y.data(), s.n_rows};
    std::printf("%20.1f", gops(s, tokens, [&] { k.interleaved(args); }));
  }
  std::printf("\n");
}

void run_gemm(int64_t kTokens, const std::string& only_type) {
  const Shape shapes[] = {
      {"gemma ffn_gate/up", slm::GgmlType::Q5_0, 2048, 640},
      {"gemma attn_v", slm::GgmlType::Q8_0, 256, 640},
      {"gemma attn_output", slm::GgmlType::Q4_K, 640, 1024},
      {"gemma ffn_down", slm::GgmlType::Q6_K, 640, 2048},
      {"llama-1b ffn_up", slm::GgmlType::Q4_K, 8192, 2048},
      {"llama-1b ffn_down", slm::GgmlType::Q6_K, 2048, 8192},
      {"qwen-0.5b ffn_up", slm::GgmlType::Q4_0, 4864, 896},
      {"Q5_K_M attn_output", slm::GgmlType::Q5_K, 640, 1024},
      {"Q3_K_M attn_output", slm::GgmlType::Q3_K, 640, 1024},
      {"Q2_K attn_output", slm::GgmlType::Q2_K, 640, 1024},
      {"IQ4_XS attn_output", slm::GgmlType::IQ4_XS, 640, 1024},
      {"smollm2 ffn_gate/up", slm::GgmlType::Q4_1, 1536, 576},
      {"smollm2 ffn_down", slm::GgmlType::Q4_1, 576, 1536},
      {"smollm2 ffn_gate/up", slm::GgmlType::Q5_1, 1536, 576},
      {"smollm2 ffn_gate/up", slm::GgmlType::IQ4_NL, 1536, 576},
      {"smollm2 ffn_gate/up", slm::GgmlType::F16, 1536, 576},
      {"smollm2 ffn_gate/up", slm::GgmlType::BF16, 1536, 576},
      {"smollm2 ffn_gate/up", slm::GgmlType::F32, 1536, 576},
  };
  std::mt19937 rng(1);
  std::printf("Gop/s, 1 thread, %lld tokens: dot loop / gemm\n", static_cast<long long>(kTokens));
  std::printf("%-20s %-18s", "use", "matrix");
  for (slm::Isa isa : slm::kAllIsas) {
    if (isa != slm::Isa::kScalar) std::printf("%20s", slm::isa_name(isa));
  }
  std::printf("%22s\n", "matmul 1 / 2 threads");
  for (const Shape& s : shapes) {
    if (!only_type.empty() && only_type != slm::ggml_type_name(s.type)) continue;
    const std::vector<uint8_t> w = slm::bench::random_matrix(s.type, s.n_rows, s.n_cols, rng);
    const size_t row_bytes = slm::row_size(s.type, s.n_cols);
    std::vector<float> x(static_cast<size_t>(s.n_cols * kTokens));
    std::normal_distribution<float> normal;
    for (float& v : x) v = normal(rng);
    std::vector<float> y(static_cast<size_t>(s.n_rows * kTokens));
    char label[64];
    std::snprintf(label, sizeof(label), "%s %lldx%lld", slm::ggml_type_name(s.type), static_cast<long long>(s.n_rows),
                  static_cast<long long>(s.n_cols));
    std::printf("%-20s %-18s", s.use, label);
    for (slm::Isa isa : slm::kAllIsas) {
      if (isa == slm::Isa::kScalar) continue;
      if (!slm::cpu_supports(isa)) {
        std::printf("%20s", "n/a");
        continue;
      }
      const slm::VecDotKernel& k = *slm::vec_dot_table(isa).find(s.type);
      const size_t act_bytes = slm::row_size(k.act_type, s.n_cols);
      std::vector<uint8_t> a(act_bytes * kTokens);
      for (int64_t t = 0; t < kTokens; ++t) k.quantize(x.data() + t * s.n_cols, a.data() + t * act_bytes, s.n_cols);
      const double dot_rate = gops(s, kTokens, [&] {
        for (int64_t r = 0; r < s.n_rows; ++r) {
          for (int64_t t = 0; t < kTokens; ++t) {
            y[t * s.n_rows + r] = k.dot(s.n_cols, w.data() + r * row_bytes, a.data() + t * act_bytes);
          }
        }
      });
      double gemm_rate = 0.0;
      if (k.gemm != nullptr) {
        const slm::GemmArgs args{s.n_cols, w.data(), row_bytes, s.n_rows, a.data(), act_bytes, kTokens, y.data(),
                                 s.n_rows};
        gemm_rate = gops(s, kTokens, [&] { k.gemm(args); });
      }
      std::printf("%11.1f /%6.1f", dot_rate, gemm_rate);
    }
    const slm::MatrixView view{s.type, w.data(), s.n_cols, s.n_rows, row_bytes};
    double threaded[2];
    for (int threads = 1; threads <= 2; ++threads) {
      omp_set_num_threads(threads);
      threaded[threads - 1] = wall_gops(s, kTokens, [&] { slm::matmul(view, x.data(), kTokens, y.data()); });
    }
    std::printf("%14.1f /%6.1f\n", threaded[0], threaded[1]);
    if (slm::interleavable(s.type)) print_interleaved(s, view, x, kTokens);
    if (slm::blas_gemm(s.type) != nullptr) print_blas(s, view, x, kTokens);
  }
}

}  // namespace

namespace slm::bench {

void register_gemm(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("gemm", "Gop/s of prompt-sized products per ISA: dot loop vs tiled GEMM");
  static int64_t tokens = 512;
  static std::string type;
  cmd->add_option("--tokens", tokens, "Tokens per product")->check(CLI::Range(1, 4096));
  cmd->add_option("--type", type, "Only the matrices of this weight type (e.g. Q4_K)");
  cmd->callback([] { run_gemm(tokens, type); });
}

}  // namespace slm::bench
