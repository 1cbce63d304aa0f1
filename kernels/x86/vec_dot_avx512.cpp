// AVX-512 F/BW/VL dot products without VNNI (compiled with -mavx512f -mavx512bw
// -mavx512vl on top of the AVX2 flags). The code is shared with the VNNI build.

#include "kernels/x86/avx512_gcc_warnings.h"

#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

#if defined(__AVX512VNNI__)
#error "vec_dot_avx512.cpp must be compiled without -mavx512vnni (see vec_dot_avx512vnni.cpp)"
#endif

namespace slm::x86::avx512 {
#include "kernels/x86/vec_dot_avx512.inc"
#include "kernels/x86/vec_dot_kquant_avx512.inc"
}  // namespace slm::x86::avx512
