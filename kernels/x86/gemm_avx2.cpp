// AVX2 + FMA + F16C GEMM kernels (compiled with exactly those flags): the register tiles
// of gemm_tiles_32.inc and gemm_tiles_k.inc, small enough for 16 vector registers.
#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

namespace slm::x86::avx2 {
constexpr int kRows32 = 2;
constexpr int kTokens32 = 4;
constexpr int kRowsK = 1;
constexpr int kTokensK = 4;
#include "kernels/x86/gemm_common.inc"
#include "kernels/x86/gemm_tiles_32.inc"
#include "kernels/x86/gemm_tiles_k.inc"
}  // namespace slm::x86::avx2
