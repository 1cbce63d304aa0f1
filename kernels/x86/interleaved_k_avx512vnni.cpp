// Q4_K and Q6_K on their interleaved layout with AVX512_VNNI (compiled with
// -mavx512vnni on top of the AVX-512 and AVX2 flags): interleaved_k.inc on zmm, one
// vector per group of 16 rows.

#include "kernels/x86/avx512_gcc_warnings.h"

#include <utility>
#include <vector>

#include "kernels/interleaved_k.h"
#include "kernels/x86/interleaved_k_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVX512VNNI__)
#error "interleaved_k_avx512vnni.cpp needs -mavx512vnni"
#endif

// Tiles of 6 tokens, two chains per lane. Q4_K 8192x2048 at 512 tokens, thread CPU time,
// with vpmaddubsw: 6 tokens and 1 chain 216 Gop/s, 2 chains 242, 4 chains 231; 8 tokens
// 211 / 235, 10 tokens and 1 chain 194 (more spill the float lanes). With vpdpbusd
// (dot4_broadcast) 245-252, and 4 or 6 tokens, 1 or 2 chains are all within that noise.
namespace slm::x86::avx512vnni {
constexpr int kTokensK = 6;
constexpr int kChainsK = 2;
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/interleaved_k.inc"
}  // namespace slm::x86::avx512vnni
