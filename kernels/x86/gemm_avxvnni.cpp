// GEMM kernels with AVX-VNNI for the 32-element formats (compiled with -mavxvnni on top
// of the AVX2 flags): gemm_vnni_32.inc on ymm, 8 rows by up to 4 tokens, so that the
// integer and float sums of every token (and Q4_1's min sums) fit the 16 vector
// registers. (6 or 8 tokens measure the same, slm-bench gemm.)

#include <algorithm>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVXVNNI__)
#error "gemm_avxvnni.cpp needs -mavxvnni"
#endif

namespace slm::x86::avxvnni {
constexpr int kTokens32 = 4;
#include "kernels/x86/gemm_common.inc"
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/gemm_vnni_groups.inc"
#include "kernels/x86/activation_tables.inc"
#include "kernels/x86/min_lanes_vnni.inc"
#include "kernels/x86/gemm_vnni_32.inc"
}  // namespace slm::x86::avxvnni
