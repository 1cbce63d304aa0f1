// Kernels on the interleaved layout with AVX-VNNI (compiled with -mavxvnni on top of the
// AVX2 flags): interleaved_vnni.inc on ymm, each group of 16 rows in two vectors of 8,
// up to 5 tokens per tile: their integer and float sums fit the 16 vector registers
// (slm-bench gemm: 2 tokens 40% slower, 6 the same).

#include <vector>

#include "kernels/interleaved.h"
#include "kernels/x86/interleaved_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVXVNNI__)
#error "interleaved_avxvnni.cpp needs -mavxvnni"
#endif

namespace slm::x86::avxvnni {
constexpr int kInterleavedTokens = 5;
#include "kernels/x86/interleaved_common.inc"
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/min_lanes_vnni.inc"
#include "kernels/x86/interleaved_vnni.inc"
}  // namespace slm::x86::avxvnni
