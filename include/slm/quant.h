// Scalar reference (de)quantization of rows of ggml blocks. This is the oracle every
// fast kernel is tested against: plain C++, no SIMD, written for clarity.
#pragma once

#include <cstdint>

#include "slm/ggml_type.h"

namespace slm {

// True for F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K..Q6_K, Q8_K, IQ4_NL, IQ4_XS.
bool can_dequantize(GgmlType type);
// True for F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q8_K, Q4_K, Q5_K, Q6_K, IQ4_NL.
bool can_quantize(GgmlType type);

// Converts n elements (a multiple of the type's block size) from `src` blocks to floats.
// Throws slm::Error for a type without dequantization or a bad n.
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);

// Converts n finite floats (a multiple of the type's block size) into `dst` blocks of
// `type`, writing n / block_elems * block_bytes bytes. Throws slm::Error like
// dequantize_row. NaN or infinite inputs give unspecified blocks (as in ggml).
void quantize_row(GgmlType type, const float* src, void* dst, int64_t n);

}  // namespace slm
