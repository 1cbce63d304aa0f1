// SIMD attention kernels for x86-64 (contracts: AttentionKernels in kernels/attention.h;
// results bit-identical to attention_ref). The same source, attention_simd.inc, is built
// once per family with a 16-lane float vector of that family. Only call them when
// cpu_supports() says so for their family.
#pragma once

#include <cstddef>

#include "kernels/attention.h"

namespace slm::x86 {

namespace avx2 {
void attention_scores(const float* q, int n_q, int head_dim, F16Rows k, int first, int last, F16DotOrder order,
                      float* out, size_t out_stride);
void attention_mix(const float* p, int n_q, size_t p_stride, F16Rows v, int first, int last, int col, int width,
                   F16DotOrder order, float* out, size_t out_stride);
void attention_round_to_f16(const float* x, float* out, int64_t n);
}  // namespace avx2

namespace avx512 {
void attention_scores(const float* q, int n_q, int head_dim, F16Rows k, int first, int last, F16DotOrder order,
                      float* out, size_t out_stride);
void attention_mix(const float* p, int n_q, size_t p_stride, F16Rows v, int first, int last, int col, int width,
                   F16DotOrder order, float* out, size_t out_stride);
void attention_round_to_f16(const float* x, float* out, int64_t n);
}  // namespace avx512

}  // namespace slm::x86
