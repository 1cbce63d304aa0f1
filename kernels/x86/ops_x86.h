// SIMD kernels of ops.h's dispatched operations (ops_ref.h has their contracts). Only
// call them when cpu_supports() says so for their family.
#pragma once

#include <cstdint>

namespace slm::x86::avx2 {

void softmax(float* x, int64_t n, int phase);
void swiglu(const float* gate, const float* up, float* y, int64_t n);
void geglu(const float* gate, const float* up, float* y, int64_t n);
void f32_to_f16(const float* x, uint16_t* y, int64_t n);
void f16_to_f32(const uint16_t* x, float* y, int64_t n);

}  // namespace slm::x86::avx2
