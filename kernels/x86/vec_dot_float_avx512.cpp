// F32, F16 and BF16 dot products with AVX-512 F/BW/VL (compiled with those flags on top
// of the AVX2 ones): vec_dot_float.inc at 16 lanes. VNNI has nothing to add to float
// arithmetic, so the avx512vnni table uses these too.

#include "kernels/x86/avx512_gcc_warnings.h"

#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

namespace slm::x86::avx512 {
#include "kernels/x86/vec_dot_float.inc"
}  // namespace slm::x86::avx512
