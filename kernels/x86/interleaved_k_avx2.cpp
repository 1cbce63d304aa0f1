// Q4_K and Q6_K on their interleaved layout with AVX2 + FMA + F16C (compiled with
// exactly those flags): interleaved_k.inc on ymm, each group of 16 rows in two vectors
// of 8, vpdpwssd as vpmaddwd + vpaddd.

#include <utility>
#include <vector>

#include "kernels/interleaved_k.h"
#include "kernels/x86/interleaved_k_x86.h"
#include "kernels/x86/simd_common.h"

// Tiles of 6 tokens, two chains per lane (Q4_K 8192x2048 at 512 tokens, thread CPU time:
// 115 Gop/s, 113 with one).
namespace slm::x86::avx2 {
constexpr int kTokensK = 6;
constexpr int kChainsK = 2;
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/interleaved_k.inc"
}  // namespace slm::x86::avx2
