// slm-bench matvec: single-thread matrix-vector speed (GB/s of weights streamed) of each
// ISA family's dot products for the shapes that dominate the default model (Gemma 3 270M
// Q4_K_M: the 262144×640 Q8_0 output matrix, 2048×640 Q5_0 FFN matrices, 640×2048 Q4_K
// and Q6_K ones), the other K-quant types and IQ4_XS on that 640×2048 shape (what Q5_K_M,
// Q3_K_M and Q2_K files hold), plus Q4_0 shapes of the synthetic SmolLM2-135M and
// Qwen2.5-0.5B models and the other 32-element and float types on SmolLM2's FFN shape.
// Interleavable types get a second line: the same matrix repacked at load time
// (interleaved.h) through each family's kernel for that layout. Time is this thread's
// CPU time, so that other processes sharing the cores do not count (cache and memory
// contention still do).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "bench_commands.h"
#include "kernel_inputs.h"
#include "kernels/cpu_features.h"
#include "kernels/interleaved.h"
#include "kernels/vec_dot.h"
#include "slm/ggml_type.h"

namespace {

struct Shape {
  slm::GgmlType type;
  int64_t n_rows, n_cols;
  int repeats;  // enough passes for about a second of work per ISA
};

bool has_dot(const slm::VecDotKernel& k) { return k.dot != nullptr; }
bool has_interleaved(const slm::VecDotKernel& k) { return k.interleaved != nullptr; }

// One line of GB/s per ISA family: `product(kernel, activations)` streams the matrix
// once and returns a value to keep; "-" where the family's kernel lacks that `path`.
template <class Product>
void print_gbs(const Shape& s, const std::vector<uint8_t>& w, const std::vector<float>& x,
               bool (*path)(const slm::VecDotKernel&), Product product) {
  for (slm::Isa isa : slm::kAllIsas) {
    if (!slm::cpu_supports(isa)) {
      std::printf("%14s", "n/a");
      continue;
    }
    const slm::VecDotKernel& k = *slm::vec_dot_table(isa).find(s.type);
    if (!path(k)) {
      std::printf("%14s", "-");
      continue;
    }
    std::vector<uint8_t> a(slm::row_size(k.act_type, s.n_cols));
    k.quantize(x.data(), a.data(), s.n_cols);
    volatile float sink = 0.0f;
    double best = 1e30;
    for (int trial = 0; trial < 5; ++trial) {
      const double start = slm::bench::thread_seconds();
      float acc = 0.0f;
      for (int rep = 0; rep < s.repeats; ++rep) acc += product(k, a.data());
      const double seconds = slm::bench::thread_seconds() - start;
      best = std::min(best, seconds / s.repeats);
      sink = sink + acc;
    }
    std::printf("%9.2f GB/s", static_cast<double>(w.size()) / best / 1e9);
  }
  std::printf("\n");
}

void run_matvec() {
  const Shape shapes[] = {
      {slm::GgmlType::Q8_0, 262144, 640, 3},
      {slm::GgmlType::Q5_0, 2048, 640, 800},
      {slm::GgmlType::Q4_K, 640, 2048, 800},
      {slm::GgmlType::Q6_K, 640, 2048, 800},
      {slm::GgmlType::Q5_K, 640, 2048, 800},
      {slm::GgmlType::Q3_K, 640, 2048, 800},
      {slm::GgmlType::Q2_K, 640, 2048, 800},
      {slm::GgmlType::IQ4_XS, 640, 2048, 800},
      {slm::GgmlType::Q4_0, 1536, 576, 2000},
      {slm::GgmlType::Q4_0, 4864, 896, 300},
      {slm::GgmlType::Q4_1, 1536, 576, 2000},
      {slm::GgmlType::Q5_1, 1536, 576, 2000},
      {slm::GgmlType::IQ4_NL, 1536, 576, 2000},
      {slm::GgmlType::IQ4_NL, 4864, 896, 300},
      {slm::GgmlType::F16, 1536, 576, 500},
      {slm::GgmlType::BF16, 1536, 576, 500},
      {slm::GgmlType::F32, 1536, 576, 250},
  };
  std::mt19937 rng(1);
  std::printf("%-22s", "matrix (rows x cols)");
  for (slm::Isa isa : slm::kAllIsas) std::printf("%14s", slm::isa_name(isa));
  std::printf("\n");
  for (const Shape& s : shapes) {
    const std::vector<uint8_t> w = slm::bench::random_matrix(s.type, s.n_rows, s.n_cols, rng);
    const size_t row_bytes = slm::row_size(s.type, s.n_cols);
    std::vector<float> x(static_cast<size_t>(s.n_cols));
    std::normal_distribution<float> normal;
    for (float& v : x) v = normal(rng);
    char label[64];
    std::snprintf(label, sizeof(label), "%s %lldx%lld", slm::ggml_type_name(s.type), static_cast<long long>(s.n_rows),
                  static_cast<long long>(s.n_cols));
    std::printf("%-22s", label);
    print_gbs(s, w, x, has_dot, [&](const slm::VecDotKernel& k, const uint8_t* a) {
      float acc = 0.0f;
      for (int64_t r = 0; r < s.n_rows; ++r) acc += k.dot(s.n_cols, w.data() + r * row_bytes, a);
      return acc;
    });
    if (!slm::interleavable(s.type)) continue;
    std::vector<uint8_t> packed_bytes(w.size());
    const slm::MatrixView packed =
        slm::interleave(slm::MatrixView{s.type, w.data(), s.n_cols, s.n_rows, row_bytes}, packed_bytes.data());
    const slm::InterleavedParts parts = slm::interleaved_parts(packed);
    std::vector<float> y(static_cast<size_t>(s.n_rows));
    std::printf("%-22s", "  interleaved");
    print_gbs(s, w, x, has_interleaved, [&](const slm::VecDotKernel& k, const uint8_t* a) {
      k.interleaved(slm::InterleavedArgs{s.n_cols, parts.qs, parts.scales, parts.n_groups, a,
                                         slm::row_size(k.act_type, s.n_cols), 1, y.data(), s.n_rows});
      return y[0];
    });
  }
}

}  // namespace

namespace slm::bench {

void register_matvec(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("matvec", "Single-thread matrix-vector GB/s per ISA on the default model's shapes");
  cmd->callback(run_matvec);
}

}  // namespace slm::bench
