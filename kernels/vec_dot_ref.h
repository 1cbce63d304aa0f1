// Scalar reference dot products (internal to kernels/ and its tests). Each follows the
// arithmetic of ggml's generic CPU code for the pair: exact integer sums within a block or
// sub-block, then the same float scale products in the same order and the same kind of
// accumulator (float, or double for the float types); Q4_1, Q5_1, Q4_K and Q6_K follow
// llama.cpp's x86 build instead. SIMD kernels are tested against these; they may differ
// only in the order of float additions, and not at all for those four types.
#pragma once

#include <cstdint>

namespace slm::vec_dot_ref {

// Weight row × activation row, n elements (see VecDotFn in vec_dot.h).
float dot_f32_f32(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_f16_f16(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_bf16_bf16(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q8_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q2_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q3_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q6_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_iq4_nl_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_iq4_xs_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);

// Activation converters (see QuantizeActivationsFn in vec_dot.h).
void activations_f32(const float* x, uint8_t* a, int64_t n);
void activations_f16(const float* x, uint8_t* a, int64_t n);
void activations_bf16(const float* x, uint8_t* a, int64_t n);
void activations_q8_K(const float* x, uint8_t* a, int64_t n);
// Q8_0 / Q8_1 as llama.cpp's x86 builds make them (the builds our reference logits come
// from): q = x · (127 / amax) rounded half to even. slm::quantize_row follows ggml's
// portable reference instead, q = x · (1 / (amax / 127)) rounded half away from zero;
// the two differ in the odd element by one level. d and s are stored as in both.
void activations_q8_0(const float* x, uint8_t* a, int64_t n);
void activations_q8_1(const float* x, uint8_t* a, int64_t n);

}  // namespace slm::vec_dot_ref
