// GEMM kernels for AVX-512 F/BW/VL without VNNI (compiled with those flags on top of the
// AVX2 ones): the register tiles of gemm_tiles_32.inc and gemm_tiles_k.inc, sized for
// 32 vector registers.

#include "kernels/x86/avx512_gcc_warnings.h"

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
