// Scalar reference of the attention kernels (internal to kernels/ and its tests): the
// definition of the arithmetic that the SIMD kernels reproduce bit for bit.
#pragma once

#include <cstddef>

#include "kernels/attention.h"

namespace slm::attention_ref {

void scores(const float* q, int n_q, int head_dim, F16Rows k, int first, int last, F16DotOrder order, float* out,
            size_t out_stride);
void mix(const float* p, int n_q, size_t p_stride, F16Rows v, int first, int last, int col, int width,
         F16DotOrder order, float* out, size_t out_stride);
void round_to_f16(const float* x, float* out, int64_t n);

}  // namespace slm::attention_ref
