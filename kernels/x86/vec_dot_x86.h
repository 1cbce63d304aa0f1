// SIMD dot products for x86-64, one namespace per ISA family (see cpu_features.h). Each
// function has the contract of VecDotFn (vec_dot.h) and computes what the scalar
// reference in vec_dot_ref.h computes, up to the order of float additions. Only call
// them when cpu_supports() says so for their family.
//
// The files defining them are compiled with ISA flags. To keep instructions of a wider
// ISA from leaking into code that runs anywhere, they include only headers without
// inline functions that other files also instantiate (intrinsics, <cstdint>, <cstring>
// and the block structs), and keep their helpers in anonymous namespaces: an inline
// function compiled with -mavx2 in one file and without it in another is the same
// symbol to the linker, which may keep either copy.
#pragma once

#include <cstdint>

namespace slm::x86 {

namespace avx2 {
// Activations to Q8_0 / Q8_1 with the x86 rule of vec_dot_ref (bit-identical output).
void activations_q8_0(const float* x, uint8_t* a, int64_t n);
void activations_q8_1(const float* x, uint8_t* a, int64_t n);
// Activations to Q8_K with quant_ref's rule (bit-identical output).
void activations_q8_K(const float* x, uint8_t* a, int64_t n);
float dot_f32_f32(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_f16_f16(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_bf16_bf16(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q8_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_iq4_nl_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q6_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
// vec_dot_kquant_avx2.cpp: bit-identical to the scalar reference.
float dot_q2_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q3_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_iq4_xs_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
}  // namespace avx2

// AVX2 plus AVX-VNNI: the integer dot products of the AVX2 family (vec_dot_avx2.inc)
// compiled again with vpdpbusd/vpdpwssd on ymm.
namespace avxvnni {
float dot_q4_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q8_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_iq4_nl_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q6_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
}  // namespace avxvnni

// AVX-512 F/BW/VL, without and with AVX512_VNNI: the same source compiled twice, except
// the float types (no VNNI form; the avx512vnni table uses avx512's).
namespace avx512 {
float dot_f32_f32(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_f16_f16(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_bf16_bf16(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q8_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q6_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
// vec_dot_kquant_avx512.inc: bit-identical to the scalar reference.
float dot_q2_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q3_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_iq4_xs_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
}  // namespace avx512

namespace avx512vnni {
float dot_q5_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q8_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q4_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q6_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
// vec_dot_kquant_avx512.inc: bit-identical to the scalar reference.
float dot_q2_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q3_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_q5_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
float dot_iq4_xs_q8_K(int64_t n, const uint8_t* w, const uint8_t* a);
}  // namespace avx512vnni

}  // namespace slm::x86
