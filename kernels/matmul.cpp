// matmul on top of the vec_dot kernels: every token's activations are converted once to
// the weight type's activation type (once per type for matrices sharing an input). One token (decoding) dots each weight row with it,
// one OpenMP thread owning a contiguous range of rows. Several tokens go to the type's
// tiled GEMM kernel where it has one (gemm.h), likewise split by rows; float weights from
// kBlasMinTokens tokens go to OpenBLAS's sgemm when it is there (blas_gemm.h). Matrices
// interleaved at load time (interleaved.h) go to the family's kernel for that layout,
// for one token or many, split by whole groups of 16 rows.
#include "kernels/matmul.h"

#include <omp.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "kernels/blas_gemm.h"
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

// The product of a matrix in GGUF rows, y[t * y_stride + r]. Call inside a parallel region
// (no barrier at the end: the caller's region ends with one).
void rows_product(const VecDotKernel& kernel, const MatrixView& w, const uint8_t* act, size_t act_row_bytes,
                  int64_t n_tokens, float* y, int64_t y_stride, bool use_blas) {
  if (use_blas && n_tokens >= kBlasMinTokens) {
    if (const GemmFn sgemm = blas_gemm(w.type)) {
      run_gemm_share(sgemm, w, act, act_row_bytes, n_tokens, y, y_stride);
      return;
    }
  }
  if (kernel.gemm != nullptr && n_tokens >= kernel.gemm_min_tokens) {
    run_gemm_share(kernel.gemm, w, act, act_row_bytes, n_tokens, y, y_stride);
    return;
  }
#pragma omp for schedule(static) nowait
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
#pragma omp for schedule(static) nowait
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
    rows_product(kernel, tail, act, act_row_bytes, n_tokens, y + first_tail_row, w.n_rows, false);
  }
}

const VecDotKernel& kernel_for(const VecDotTable& table, const MatrixView& w) {
  const VecDotKernel* kernel = table.find(w.type);
  if (kernel == nullptr) {
    throw Error(std::string("matmul: no dot product for weight type ") + ggml_type_name(w.type));
  }
  const int64_t n = w.n_cols;
  if (n % ggml_type_info(w.type).block_elems != 0 || n % ggml_type_info(kernel->act_type).block_elems != 0) {
    throw Error("matmul: row length " + std::to_string(n) + " is not a whole number of " +
                ggml_type_name(w.type) + " blocks");
  }
  return *kernel;
}

// One matrix of a call: its kernel, and which converted copy of the input it reads.
struct Product {
  const VecDotKernel* kernel;
  int converted;
};

// Every product of `ws` with the same input x in one parallel region: the input is
// converted once per activation type among them (the products of one layer input, such as
// Q, K and V, often share it), then each matrix is split between all threads.
void run(const VecDotTable& table, std::span<const MatrixView> ws, const float* x, int64_t n_tokens,
         std::span<float* const> ys, bool use_blas) {
  if (ws.size() != ys.size()) throw Error("matmul: as many outputs as matrices are needed");
  if (ws.empty() || n_tokens <= 0) return;
  const int64_t n = ws[0].n_cols;
  constexpr size_t kMaxTypes = 4;
  std::vector<Product> products;
  products.reserve(ws.size());
  const VecDotKernel* converters[kMaxTypes] = {};
  size_t n_types = 0;
  for (const MatrixView& w : ws) {
    if (w.n_cols != n) throw Error("matmul: matrices sharing an input must have as many columns");
    const VecDotKernel& kernel = kernel_for(table, w);
    size_t c = 0;
    while (c < n_types && converters[c]->act_type != kernel.act_type) ++c;
    if (c == n_types) {
      if (n_types == kMaxTypes) throw Error("matmul: too many activation types in one call");
      converters[n_types++] = &kernel;
    }
    products.push_back(Product{&kernel, static_cast<int>(c)});
  }
  // Reused across calls: decoding calls matmul hundreds of times per token.
  thread_local std::vector<uint8_t> activations[kMaxTypes];
  size_t row_bytes[kMaxTypes];
  for (size_t c = 0; c < n_types; ++c) {
    row_bytes[c] = row_size(converters[c]->act_type, n);
    activations[c].resize(static_cast<size_t>(n_tokens) * row_bytes[c]);
  }
  uint8_t* act[kMaxTypes];
  for (size_t c = 0; c < n_types; ++c) act[c] = activations[c].data();

#pragma omp parallel
  {
    for (size_t c = 0; c < n_types; ++c) {
#pragma omp for schedule(static)
      for (int64_t t = 0; t < n_tokens; ++t) {
        converters[c]->quantize(x + t * n, act[c] + static_cast<size_t>(t) * row_bytes[c], n);
      }
    }
    for (size_t i = 0; i < ws.size(); ++i) {
      if (ws[i].n_rows <= 0) continue;
      const VecDotKernel& kernel = *products[i].kernel;
      const int c = products[i].converted;
      if (ws[i].layout == MatrixLayout::kInterleaved) {
        interleaved_product(kernel, ws[i], act[c], row_bytes[c], n_tokens, ys[i]);
      } else {
        rows_product(kernel, ws[i], act[c], row_bytes[c], n_tokens, ys[i], ws[i].n_rows, use_blas);
      }
    }
  }
}

}  // namespace

void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y) {
  matmul(std::span<const MatrixView>(&w, 1), x, n_tokens, std::span<float* const>(&y, 1));
}

void matmul(std::span<const MatrixView> ws, const float* x, int64_t n_tokens, std::span<float* const> ys) {
  run(active_vec_dot_table(), ws, x, n_tokens, ys, true);
}

void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y, Isa isa) {
  if (!cpu_supports(isa)) throw Error(std::string("matmul: this CPU does not support ") + isa_name(isa));
  run(vec_dot_table(isa), std::span<const MatrixView>(&w, 1), x, n_tokens, std::span<float* const>(&y, 1), false);
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
