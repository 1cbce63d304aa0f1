// Dot products with AVX-VNNI (compiled with -mavxvnni on top of the AVX2 flags):
// vec_dot_avx2.inc with vpdpbusd/vpdpwssd on ymm.
#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

#if !defined(__AVXVNNI__)
#error "vec_dot_avxvnni.cpp needs -mavxvnni"
#endif

namespace slm::x86::avxvnni {
#include "kernels/x86/vec_dot_avx2.inc"
}  // namespace slm::x86::avxvnni
