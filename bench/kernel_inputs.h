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

// n_rows x n_cols random weights. Quantized types: random bytes with every block's f16
// scales set to 0.01 (random f16 bits could be NaN): d, then a min for the types with
// one. Most types start with them; Q6_K and Q3_K end with d, Q2_K with d and dmin.
// Float types: N(0, 1) values.
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
  const bool has_min = type == GgmlType::Q4_1 || type == GgmlType::Q5_1 || type == GgmlType::Q2_K ||
                       type == GgmlType::Q4_K || type == GgmlType::Q5_K;
  const size_t scale_bytes = has_min ? 4 : 2;
  const bool scales_last = type == GgmlType::Q2_K || type == GgmlType::Q3_K || type == GgmlType::Q6_K;
  const size_t d_offset = scales_last ? info.block_bytes - scale_bytes : 0;
  for (size_t b = 0; b < m.size() / info.block_bytes; ++b) {
    for (size_t i = 0; i < scale_bytes; i += 2) std::memcpy(m.data() + b * info.block_bytes + d_offset + i, &scale, 2);
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
