// GEMM kernels with AVX-VNNI for the K-quants and IQ4_XS (compiled with -mavxvnni on top
// of the AVX2 flags): gemm_vnni_k.inc on ymm, 16 rows by up to 4 tokens (the integer sums
// stay in the 16 vector registers; 2 tokens measure 10% slower, 6 the same).

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVXVNNI__)
#error "gemm_avxvnni_k.cpp needs -mavxvnni"
#endif

namespace slm::x86::avxvnni {
constexpr int kTokensK = 4;
#include "kernels/x86/gemm_common.inc"
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/gemm_vnni_groups.inc"
#include "kernels/x86/gemm_vnni_k.inc"
}  // namespace slm::x86::avxvnni
