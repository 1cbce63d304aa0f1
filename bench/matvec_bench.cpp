// slm-bench matvec: single-thread matrix-vector speed (GB/s of weights streamed) of each
// ISA family's dot products for the shapes that dominate the default model (Gemma 3 270M
// Q4_K_M: the 262144×640 Q8_0 output matrix, 2048×640 Q5_0 FFN matrices, 640×2048 Q4_K
// and Q6_K ones). Time is this thread's CPU time, so that other processes sharing the
// cores do not count (cache and memory contention still do).
#include <algorithm>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "bench_commands.h"
#include "kernels/cpu_features.h"
#include "kernels/fp16.h"
#include "kernels/vec_dot.h"
#include "slm/ggml_type.h"

namespace {

struct Shape {
  slm::GgmlType type;
  int64_t n_rows, n_cols;
  int repeats;  // enough passes for about a second of work per ISA
};

// Random bytes with every block's scales set to 0.01 (random f16 bits could be NaN).
std::vector<uint8_t> random_matrix(const Shape& s, std::mt19937& rng) {
  std::vector<uint8_t> m(slm::row_size(s.type, s.n_cols) * static_cast<size_t>(s.n_rows));
  for (uint8_t& b : m) b = static_cast<uint8_t>(rng());
  const slm::GgmlTypeInfo& info = slm::ggml_type_info(s.type);
  const uint16_t scale = slm::f32_to_f16(0.01f);
  size_t d_offset = 0;  // Q8_0, Q5_0, Q4_K: d first; Q6_K: d last
  if (s.type == slm::GgmlType::Q6_K) d_offset = info.block_bytes - 2;
  for (size_t b = 0; b < m.size() / info.block_bytes; ++b) {
    std::memcpy(m.data() + b * info.block_bytes + d_offset, &scale, 2);
    if (s.type == slm::GgmlType::Q4_K) std::memcpy(m.data() + b * info.block_bytes + 2, &scale, 2);
  }
  return m;
}

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void run_matvec() {
  const Shape shapes[] = {
      {slm::GgmlType::Q8_0, 262144, 640, 3},
      {slm::GgmlType::Q5_0, 2048, 640, 800},
      {slm::GgmlType::Q4_K, 640, 2048, 800},
      {slm::GgmlType::Q6_K, 640, 2048, 800},
  };
  std::mt19937 rng(1);
  std::printf("%-22s", "matrix (rows x cols)");
  for (slm::Isa isa : slm::kAllIsas) std::printf("%14s", slm::isa_name(isa));
  std::printf("\n");
  for (const Shape& s : shapes) {
    const std::vector<uint8_t> w = random_matrix(s, rng);
    const size_t row_bytes = slm::row_size(s.type, s.n_cols);
    std::vector<float> x(static_cast<size_t>(s.n_cols));
    std::normal_distribution<float> normal;
    for (float& v : x) v = normal(rng);
    char label[64];
    std::snprintf(label, sizeof(label), "%s %lldx%lld", slm::ggml_type_name(s.type), static_cast<long long>(s.n_rows),
                  static_cast<long long>(s.n_cols));
    std::printf("%-22s", label);
    for (slm::Isa isa : slm::kAllIsas) {
      if (!slm::cpu_supports(isa)) {
        std::printf("%14s", "n/a");
        continue;
      }
      const slm::VecDotKernel& k = *slm::vec_dot_table(isa).find(s.type);
      std::vector<uint8_t> a(slm::row_size(k.act_type, s.n_cols));
      k.quantize(x.data(), a.data(), s.n_cols);
      volatile float sink = 0.0f;
      double best = 1e30;
      for (int trial = 0; trial < 5; ++trial) {
        const double start = thread_seconds();
        float acc = 0.0f;
        for (int rep = 0; rep < s.repeats; ++rep) {
          for (int64_t r = 0; r < s.n_rows; ++r) acc += k.dot(s.n_cols, w.data() + r * row_bytes, a.data());
        }
        const double seconds = thread_seconds() - start;
        best = std::min(best, seconds / s.repeats);
        sink = sink + acc;
      }
      std::printf("%9.2f GB/s", static_cast<double>(w.size()) / best / 1e9);
    }
    std::printf("\n");
  }
}

}  // namespace

namespace slm::bench {

void register_matvec(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("matvec", "Single-thread matrix-vector GB/s per ISA on the default model's shapes");
  cmd->callback(run_matvec);
}

}  // namespace slm::bench
