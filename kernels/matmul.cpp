// matmul on top of the vec_dot kernels: every token's activations are converted once to
// the weight type's activation type, then each weight row (one OpenMP thread owns a
// contiguous range of rows) is dotted with every token while it is hot in cache.
#include "kernels/matmul.h"

#include <string>
#include <vector>

#include "kernels/vec_dot.h"
#include "slm/error.h"
#include "slm/quant.h"

namespace slm {

namespace {

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
#pragma omp for schedule(static)
    for (int64_t r = 0; r < n_rows; ++r) {
      const uint8_t* row = w.data + static_cast<size_t>(r) * w.row_bytes;
      for (int64_t t = 0; t < n_tokens; ++t) {
        y[t * n_rows + r] = kernel->dot(n, row, act + static_cast<size_t>(t) * act_row_bytes);
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
