// F32, F16 and BF16 GEMM kernels with AVX2 + FMA + F16C (compiled with exactly those
// flags): gemm_float.inc at 8 lanes, 1 row by 3 tokens per tile.
#include <algorithm>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

namespace slm::x86::avx2 {
#include "kernels/x86/gemm_float.inc"
}  // namespace slm::x86::avx2
