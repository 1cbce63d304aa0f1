// AVX-512 dot products with AVX512_VNNI (compiled with -mavx512vnni on top of the
// AVX-512 F/BW/VL and AVX2 flags): vec_dot_avx512.inc with vpdpbusd/vpdpwssd.

#include "kernels/x86/avx512_gcc_warnings.h"

#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

#if !defined(__AVX512VNNI__)
#error "vec_dot_avx512vnni.cpp needs -mavx512vnni"
#endif

namespace slm::x86::avx512vnni {
#include "kernels/x86/vec_dot_avx512.inc"
#include "kernels/x86/vec_dot_kquant_avx512.inc"
}  // namespace slm::x86::avx512vnni
