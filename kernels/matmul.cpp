// matmul on top of the vec_dot kernels: every token's activations are converted once to
// the weight type's activation type. One token (decoding) dots each weight row with it,
// one OpenMP thread owning a contiguous range of rows. Several tokens go to the type's
// tiled GEMM kernel where it has one (gemm.h), likewise split by rows.
#include "kernels/matmul.h"

#include <omp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/vec_dot.h"
#include "slm/error.h"
#include "slm/quant.h"

namespace slm {

namespace {

// The gemm kernel with each thread's share of the rows, in multiples of 16 (the widest
// row group of any kernel), and all the tokens: the kernels prepare each token's
// activations and decode each weight row once per call, so fewer, larger calls are
// cheaper. Call inside a parallel region.
void run_gemm_share(GemmFn gemm, const MatrixView& w, const uint8_t* act, size_t act_row_bytes, int64_t n_tokens,
                    float* y) {
  constexpr int64_t kRowUnit = 16;
  const int64_t units = (w.n_rows + kRowUnit - 1) / kRowUnit;
  const int64_t threads = omp_get_num_threads();
  const int64_t thread = omp_get_thread_num();
  const int64_t r0 = units * thread / threads * kRowUnit;
  const int64_t r1 = std::min(w.n_rows, units * (thread + 1) / threads * kRowUnit);
  if (r1 <= r0) return;
  gemm(GemmArgs{w.n_cols, w.data + static_cast<size_t>(r0) * w.row_bytes, w.row_bytes, r1 - r0, act, act_row_bytes,
                n_tokens, y + r0, w.n_rows});
}

void run(const VecDotTable& table, const MatrixView& w, const float* x, int64_t n_tokens, float* y) {
  const VecDotKernel* kernel = table.find(w.type);
  if (kernel == nullptr) {
    throw Error(std::string("matmul: no dot product for weight type ") + ggml_type_name(w.type));
  }
  const int64_t n = w.n_cols;
  const int64_t n_rows = w.n_rows;
  if (n % ggml_type_info(w.type).block_elems != 0 || n % ggml_type_info(kernel->act_type).block_elems != 0) {
    throw Error("matmul: row length " + std::to_string(n) + " is not a whole number of " +
                ggml_type_name(w.type) + " blocks");
  }
  if (n_tokens <= 0 || n_rows <= 0) return;

  const size_t act_row_bytes = row_size(kernel->act_type, n);
  // Reused across calls: decoding calls matmul hundreds of times per token.
  thread_local std::vector<uint8_t> activations;
  activations.resize(static_cast<size_t>(n_tokens) * act_row_bytes);
  uint8_t* const act = activations.data();

#pragma omp parallel
  {
#pragma omp for schedule(static)
    for (int64_t t = 0; t < n_tokens; ++t) {
      kernel->quantize(x + t * n, act + static_cast<size_t>(t) * act_row_bytes, n);
    }
    if (kernel->gemm != nullptr && n_tokens >= kernel->gemm_min_tokens) {
      run_gemm_share(kernel->gemm, w, act, act_row_bytes, n_tokens, y);
    } else {
#pragma omp for schedule(static)
      for (int64_t r = 0; r < n_rows; ++r) {
        const uint8_t* row = w.data + static_cast<size_t>(r) * w.row_bytes;
        for (int64_t t = 0; t < n_tokens; ++t) {
          y[t * n_rows + r] = kernel->dot(n, row, act + static_cast<size_t>(t) * act_row_bytes);
        }
      }
    }
  }
}

}  // namespace

void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y) {
  run(active_vec_dot_table(), w, x, n_tokens, y);
}

void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y, Isa isa) {
  if (!cpu_supports(isa)) throw Error(std::string("matmul: this CPU does not support ") + isa_name(isa));
  run(vec_dot_table(isa), w, x, n_tokens, y);
}

void matrix_row(const MatrixView& w, int64_t r, float* out) {
  dequantize_row(w.type, w.data + static_cast<size_t>(r) * w.row_bytes, out, w.n_cols);
}

}  // namespace slm
