// GEMM kernels with AVX512_VNNI for the K-quants and IQ4_XS (compiled with -mavx512vnni
// on top of the AVX-512 and AVX2 flags): gemm_vnni_k.inc on zmm, 32 rows by up to 6
// tokens.

#include "kernels/x86/avx512_gcc_warnings.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVX512VNNI__)
#error "gemm_avx512vnni_k.cpp needs -mavx512vnni"
#endif

namespace slm::x86::avx512vnni {
constexpr int kTokensK = 6;
#include "kernels/x86/gemm_common.inc"
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/gemm_vnni_groups.inc"
#include "kernels/x86/gemm_vnni_k.inc"
}  // namespace slm::x86::avx512vnni
