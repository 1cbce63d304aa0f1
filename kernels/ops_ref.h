// The scalar kernels of the ISA-dispatched operations in ops.h: the oracle of the SIMD ones.
#pragma once

#include <cstdint>

namespace slm::ops_ref {

void geglu(const float* gate, const float* up, float* y, int64_t n);
void f32_to_f16(const float* x, uint16_t* y, int64_t n);
void f16_to_f32(const uint16_t* x, float* y, int64_t n);
void swiglu(const float* gate, const float* up, float* y, int64_t n);
void softmax(float* x, int64_t n, int phase);

// e^x as ggml's vector code computes it (its SiLU and softmax use it, not libm's expf):
// x = n·ln2 + b with n = round(x·log2(e)) and ln2 in two parts, e^b ≈ 1 + a degree-5
// polynomial, and 2^n put in the exponent; where |n| > 126 the scale is split in two
// factors so results near the float limits underflow or overflow gradually. The SIMD
// kernels evaluate the same operations lane by lane.
float exp_poly(float x);

// The sum of 16 values in the tree of an AVX-512 horizontal sum: halves (i + i+8), then
// quarters (i + i+4), then (0 + 2) + (1 + 3).
float sum_16_lanes(const float* s);

// ggml's vector loops take 16 elements at a time (its AVX-512 build). SwiGLU's leftovers,
// past the last whole group, use libm's exp (as ggml's leftover loops use expf); softmax
// rows have none, being whole rows of cache cells.
inline constexpr int64_t kExpGroup = 16;

}  // namespace slm::ops_ref
