// Q4_K and Q6_K on their interleaved layout with AVX2 + FMA + F16C (compiled with
// exactly those flags): interleaved_k.inc on ymm, each group of 16 rows in two vectors
// of 8, vpdpwssd as vpmaddwd + vpaddd.

#include "kernels/interleaved_k.h"
#include "kernels/x86/interleaved_k_x86.h"
#include "kernels/x86/simd_common.h"

namespace slm::x86::avx2 {
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/interleaved_k.inc"
}  // namespace slm::x86::avx2
