// Q4_K and Q6_K on their interleaved layout with AVX-VNNI (compiled with -mavxvnni on
// top of the AVX2 flags): interleaved_k.inc on ymm, each group of 16 rows in two
// vectors of 8.

#include <utility>
#include <vector>

#include "kernels/interleaved_k.h"
#include "kernels/x86/interleaved_k_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVXVNNI__)
#error "interleaved_k_avxvnni.cpp needs -mavxvnni"
#endif

// Tiles of 6 tokens, one chain per lane (Q4_K 8192x2048 at 512 tokens, thread CPU time:
// 124 Gop/s, 110 with two chains: 16 ymm registers leave no room for them).
namespace slm::x86::avxvnni {
constexpr int kTokensK = 6;
constexpr int kChainsK = 1;
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/interleaved_k.inc"
}  // namespace slm::x86::avxvnni
