// Inputs shared by the kernel benchmarks (matvec, gemm): weight matrices of random
// blocks with sane scales, and per-thread CPU time.
#pragma once

#include <cstdint>
#include <cstring>
#include <ctime>
#include <random>
#include <vector>

#include "kernels/fp16.h"
#include "kernels/vec_dot.h"
#include "slm/ggml_type.h"
#include "slm/quant.h"

namespace slm::bench {

// n_rows x n_cols random weights. Quantized types: random bytes with every block's
// scales set to 0.01 (random f16 bits could be NaN); Q8_0, Q5_0, Q4_0, IQ4_NL have d
// first; Q4_1, Q5_1 and Q4_K d and a min; Q6_K d last. Float types: N(0, 1) values.
inline std::vector<uint8_t> random_matrix(GgmlType type, int64_t n_rows, int64_t n_cols, std::mt19937& rng) {
  std::vector<uint8_t> m(row_size(type, n_cols) * static_cast<size_t>(n_rows));
  if (type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16) {
    std::normal_distribution<float> normal;
    std::vector<float> x(static_cast<size_t>(n_rows * n_cols));
    for (float& v : x) v = normal(rng);
    quantize_row(type, x.data(), m.data(), n_rows * n_cols);
    return m;
  }
  for (uint8_t& b : m) b = static_cast<uint8_t>(rng());
  const GgmlTypeInfo& info = ggml_type_info(type);
  const uint16_t scale = f32_to_f16(0.01f);
  const bool has_min = type == GgmlType::Q4_K || type == GgmlType::Q4_1 || type == GgmlType::Q5_1;
  const size_t d_offset = type == GgmlType::Q6_K ? info.block_bytes - 2 : 0;
  for (size_t b = 0; b < m.size() / info.block_bytes; ++b) {
    std::memcpy(m.data() + b * info.block_bytes + d_offset, &scale, 2);
    if (has_min) std::memcpy(m.data() + b * info.block_bytes + 2, &scale, 2);
  }
  return m;
}

// CPU time of the calling thread, so that other processes sharing the cores do not count
// (cache and memory contention still do).
inline double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace slm::bench
