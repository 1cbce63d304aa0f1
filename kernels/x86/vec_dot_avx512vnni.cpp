// AVX-512 dot products with AVX512_VNNI (compiled with -mavx512vnni on top of the
// AVX-512 F/BW/VL and AVX2 flags): vec_dot_avx512.inc with vpdpbusd/vpdpwssd.

// GCC 12's avx512fintrin.h hands _mm512_undefined_*() values to masked builtins and then
// warns about them itself (a compiler bug); no undefined lane is ever read here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

#if !defined(__AVX512VNNI__)
#error "vec_dot_avx512vnni.cpp needs -mavx512vnni"
#endif

namespace slm::x86::avx512vnni {
#include "kernels/x86/vec_dot_avx512.inc"
#include "kernels/x86/vec_dot_kquant_avx512.inc"
}  // namespace slm::x86::avx512vnni
