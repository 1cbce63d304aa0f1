// AVX-512 F/BW/VL dot products without VNNI (compiled with -mavx512f -mavx512bw
// -mavx512vl on top of the AVX2 flags). The code is shared with the VNNI build.

// GCC 12's avx512fintrin.h hands _mm512_undefined_*() values to masked builtins and then
// warns about them itself (a compiler bug); no undefined lane is ever read here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

#if defined(__AVX512VNNI__)
#error "vec_dot_avx512.cpp must be compiled without -mavx512vnni (see vec_dot_avx512vnni.cpp)"
#endif

namespace slm::x86::avx512 {
#include "kernels/x86/vec_dot_avx512.inc"
#include "kernels/x86/vec_dot_kquant_avx512.inc"
}  // namespace slm::x86::avx512
