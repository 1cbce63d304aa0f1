// GEMM kernels for AVX-512 F/BW/VL without VNNI (compiled with those flags on top of the
// AVX2 ones): the register tiles of gemm_tiles_32.inc and gemm_tiles_k.inc, sized for
// 32 vector registers.

// GCC 12's avx512fintrin.h hands _mm512_undefined_*() values to masked builtins and then
// warns about them itself (a compiler bug); no undefined lane is ever read here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

#if defined(__AVX512VNNI__)
#error "gemm_avx512.cpp must be compiled without -mavx512vnni (see gemm_avx512vnni.cpp)"
#endif

namespace slm::x86::avx512 {
constexpr int kRows32 = 4;
constexpr int kTokens32 = 4;
constexpr int kRowsK = 4;
constexpr int kTokensK = 3;
#include "kernels/x86/gemm_common.inc"
#include "kernels/x86/gemm_tiles_32.inc"
#include "kernels/x86/gemm_tiles_k.inc"
}  // namespace slm::x86::avx512
