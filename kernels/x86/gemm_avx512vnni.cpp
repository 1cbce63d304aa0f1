// GEMM kernels with AVX512_VNNI for the 32-element formats (compiled with -mavx512vnni on
// top of the AVX-512 and AVX2 flags): gemm_vnni_32.inc on zmm, 16 rows by up to 8 tokens.

#include "kernels/x86/avx512_gcc_warnings.h"

#include <algorithm>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVX512VNNI__)
#error "gemm_avx512vnni.cpp needs -mavx512vnni"
#endif

namespace slm::x86::avx512vnni {
constexpr int kTokens32 = 8;
#include "kernels/x86/gemm_common.inc"
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/gemm_vnni_groups.inc"
#include "kernels/x86/activation_tables.inc"
#include "kernels/x86/min_lanes_vnni.inc"
#include "kernels/x86/gemm_vnni_32.inc"
}  // namespace slm::x86::avx512vnni
