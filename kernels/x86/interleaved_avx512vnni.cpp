// Kernels on the interleaved layout with AVX512_VNNI (compiled with -mavx512vnni on top
// of the AVX-512 and AVX2 flags): interleaved_vnni.inc on zmm, one vector per group of
// 16 rows, up to 8 tokens per tile (12 spill registers and lose a third).

#include "kernels/x86/avx512_gcc_warnings.h"

#include <vector>

#include "kernels/interleaved.h"
#include "kernels/x86/interleaved_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVX512VNNI__)
#error "interleaved_avx512vnni.cpp needs -mavx512vnni"
#endif

namespace slm::x86::avx512vnni {
constexpr int kInterleavedTokens = 8;
#include "kernels/x86/interleaved_common.inc"
#include "kernels/x86/vnni_vectors.inc"
#include "kernels/x86/min_lanes_vnni.inc"
#include "kernels/x86/interleaved_vnni.inc"
}  // namespace slm::x86::avx512vnni
