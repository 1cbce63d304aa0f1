// The matrix product every model layer uses: quantized (or float) weights times f32
// activations. One interface; the kernels behind it are chosen per CPU (vec_dot.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/cpu_features.h"
#include "slm/ggml_type.h"

namespace slm {

enum class MatrixLayout : uint8_t {
  kRows,         // the GGUF rows, row_bytes apart
  kInterleaved,  // groups of 16 rows side by side (interleaved.h), repacked at load time
};

// A weight matrix stored as ggml blocks: n_rows rows of n_cols elements, row_bytes bytes
// per row in the GGUF layout.
struct MatrixView {
  GgmlType type;
  const uint8_t* data;
  int64_t n_cols;
  int64_t n_rows;
  size_t row_bytes;
  MatrixLayout layout = MatrixLayout::kRows;
};

// y[t * n_rows + r] = Σ_k W[r][k] · x[t * n_cols + k] for every token t < n_tokens.
// As in llama.cpp, each token's activations are first converted to the weight type's
// activation type (Q8_0, Q8_1, Q8_K, F16, BF16 or F32), so quantized weights see
// 8-bit activations. Throws slm::Error for a weight type without a dot product or
// n_cols not a multiple of the block sizes.
void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y);

// The products of several matrices with the same n_cols with one input x: ys[i] receives
// ws[i]'s product, as matmul(ws[i], x, n_tokens, ys[i]) computes it. The input is
// converted once per activation type, and one parallel region does all the products
// (fewer thread wake-ups per decoded token).
void matmul(std::span<const MatrixView> ws, const float* x, int64_t n_tokens, std::span<float* const> ys);

// The same as the first with the kernels of one ISA family, which the CPU must support (tests and
// benchmarks; matmul above uses selected_isa()), and never OpenBLAS.
void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y, Isa isa);

// Dequantizes row `r` of `w` into n_cols floats (embedding lookups).
void matrix_row(const MatrixView& w, int64_t r, float* out);

}  // namespace slm
