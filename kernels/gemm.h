// The multi-token form of the dot products in vec_dot.h: a block of weight rows times a
// block of converted activation rows. Prompt processing spends its time here, so the
// kernels keep a tile of rows x tokens in registers and decode each weight block once
// for all the tokens of the tile (and load each activation block once for all its rows).
// Every output equals the ISA's dot product of that row and token up to the order of the
// float additions (the integer sums of each block are the same exact integers).
#pragma once

#include <cstddef>
#include <cstdint>

namespace slm {

// y[t * y_stride + r] = Σ_k W[r][k] · A[t][k] for r < n_rows, t < n_tokens. W holds n_rows
// rows of n elements in the weight type, w_stride bytes apart; A holds n_tokens rows in
// the activation type, a_stride bytes apart. n is a multiple of both block sizes.
struct GemmArgs {
  int64_t n;
  const uint8_t* w;
  size_t w_stride;
  int64_t n_rows;
  const uint8_t* a;
  size_t a_stride;
  int64_t n_tokens;
  float* y;
  int64_t y_stride;
};

}  // namespace slm
