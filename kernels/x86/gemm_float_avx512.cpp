// F32, F16 and BF16 GEMM kernels with AVX-512 F/BW/VL (compiled with those flags on top
// of the AVX2 ones): gemm_float.inc at 16 lanes, 2 rows by 3 tokens per tile. VNNI has
// nothing to add to float arithmetic, so the avx512vnni table uses these too.

#include "kernels/x86/avx512_gcc_warnings.h"

#include <algorithm>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

namespace slm::x86::avx512 {
#include "kernels/x86/gemm_float.inc"
}  // namespace slm::x86::avx512
