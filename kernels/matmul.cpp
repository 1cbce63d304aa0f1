// matmul on top of the vec_dot kernels: every token's activations are converted once to
// the weight type's activation type. One token (decoding) dots each weight row with it,
// one OpenMP thread owning a contiguous range of rows. Several tokens go to the type's
// tiled GEMM kernel where it has one (gemm.h), likewise split by rows. Matrices
// interleaved at load time (interleaved.h) go to the family's kernel for that layout,
// for one token or many, split by whole groups of 16 rows.
#include "kernels/matmul.h"

#include <omp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/interleaved.h"
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
                    float* y, int64_t y_stride) {
  constexpr int64_t kRowUnit = 16;
  const int64_t units = (w.n_rows + kRowUnit - 1) / kRowUnit;
  const int64_t threads = omp_get_num_threads();
  const int64_t thread = omp_get_thread_num();
  const int64_t r0 = units * thread / threads * kRowUnit;
  const int64_t r1 = std::min(w.n_rows, units * (thread + 1) / threads * kRowUnit);
  if (r1 <= r0) return;
  gemm(GemmArgs{w.n_cols, w.data + static_cast<size_t>(r0) * w.row_bytes, w.row_bytes, r1 - r0, act, act_row_bytes,
                n_tokens, y + r0, y_stride});
}

// The product of a matrix in GGUF rows, y[t * y_stride + r]. Call inside a parallel region.
void rows_product(const VecDotKernel& kernel, const MatrixView& w, const uint8_t* act, size_t act_row_bytes,
                  int64_t n_tokens, float* y, int64_t y_stride) {
  if (kernel.gemm != nullptr && n_tokens >= kernel.gemm_min_tokens) {
    run_gemm_share(kernel.gemm, w, act, act_row_bytes, n_tokens, y, y_stride);
    return;
  }
#pragma omp for schedule(static)
  for (int64_t r = 0; r < w.n_rows; ++r) {
    const uint8_t* row = w.data + static_cast<size_t>(r) * w.row_bytes;
    for (int64_t t = 0; t < n_tokens; ++t) {
      y[t * y_stride + r] = kernel.dot(w.n_cols, row, act + static_cast<size_t>(t) * act_row_bytes);
    }
  }
}

// The product of an interleaved matrix: each thread takes an even share of whole groups
// for every token; the rows after the last group are GGUF rows. A family without a
// kernel for the layout restores each row and takes its dot products. Call inside a
// parallel region.
void interleaved_product(const VecDotKernel& kernel, const MatrixView& w, const uint8_t* act, size_t act_row_bytes,
                         int64_t n_tokens, float* y) {
  if (kernel.interleaved == nullptr) {
    thread_local std::vector<uint8_t> row;
    row.resize(w.row_bytes);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < w.n_rows; ++r) {
      interleaved_row(w, r, row.data());
      for (int64_t t = 0; t < n_tokens; ++t) {
        y[t * w.n_rows + r] = kernel.dot(w.n_cols, row.data(), act + static_cast<size_t>(t) * act_row_bytes);
      }
    }
    return;
  }
  const InterleavedParts p = interleaved_parts(w);
  const int64_t threads = omp_get_num_threads();
  const int64_t thread = omp_get_thread_num();
  const int64_t g0 = p.n_groups * thread / threads;
  const int64_t g1 = p.n_groups * (thread + 1) / threads;
  if (g1 > g0) {
    kernel.interleaved(InterleavedArgs{w.n_cols, p.qs + static_cast<size_t>(g0) * p.group_qs_bytes,
                                       p.scales + static_cast<size_t>(g0) * p.group_scales_bytes, g1 - g0, act,
                                       act_row_bytes, n_tokens, y + g0 * kInterleaveRows, w.n_rows});
  }
  const int64_t first_tail_row = p.n_groups * kInterleaveRows;
  if (first_tail_row < w.n_rows) {
    const MatrixView tail{w.type, p.tail, w.n_cols, w.n_rows - first_tail_row, w.row_bytes};
    rows_product(kernel, tail, act, act_row_bytes, n_tokens, y + first_tail_row, w.n_rows);
  }
}

void run(const VecDotTable& table, const MatrixView& w, const float* x, int64_t n_tokens, float* y) {
  const VecDotKernel* kernel = table.find(w.type);
  if (kernel == nullptr) {
    throw Error(std::string("matmul: no dot product for weight type ") + ggml_type_name(w.type));
  }
  const int64_t n = w.n_cols;
  if (n % ggml_type_info(w.type).block_elems != 0 || n % ggml_type_info(kernel->act_type).block_elems != 0) {
    throw Error("matmul: row length " + std::to_string(n) + " is not a whole number of " +
                ggml_type_name(w.type) + " blocks");
  }
  if (n_tokens <= 0 || w.n_rows <= 0) return;

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
    if (w.layout == MatrixLayout::kInterleaved) {
      interleaved_product(*kernel, w, act, act_row_bytes, n_tokens, y);
    } else {
      rows_product(*kernel, w, act, act_row_bytes, n_tokens, y, w.n_rows);
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
  if (w.layout == MatrixLayout::kInterleaved) {
    thread_local std::vector<uint8_t> row;
    row.resize(w.row_bytes);
    interleaved_row(w, r, row.data());
    dequantize_row(w.type, row.data(), out, w.n_cols);
    return;
  }
  dequantize_row(w.type, w.data + static_cast<size_t>(r) * w.row_bytes, out, w.n_cols);
}

}  // namespace slm
