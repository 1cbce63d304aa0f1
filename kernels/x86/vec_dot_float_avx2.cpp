// F32, F16 and BF16 dot products with AVX2 + FMA + F16C (compiled with exactly those
// flags): vec_dot_float.inc at 8 lanes.
#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

namespace slm::x86::avx2 {
#include "kernels/x86/vec_dot_float.inc"
}  // namespace slm::x86::avx2
