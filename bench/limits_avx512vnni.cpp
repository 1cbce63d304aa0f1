// Peak int8 rate with AVX512_VNNI: vpdpbusd on zmm (see limits_x86.h).

#include "kernels/x86/avx512_gcc_warnings.h"
#include <immintrin.h>

#include "limits_x86.h"

namespace slm::bench::x86 {

namespace {
#include "limits_loops.inc"
}  // namespace

double int8_avx512vnni(int64_t iterations, int seed) {
  run_chains(
      iterations, _mm512_set1_epi8(static_cast<char>(seed)), _mm512_set1_epi8(static_cast<char>(seed + 1)),
      [](__m512i v, __m512i b) { return _mm512_dpbusd_epi32(v, v, b); },
      [](__m512i a, __m512i b) { return _mm512_add_epi32(a, b); },
      [](__m512i v) { volatile int sink = _mm_cvtsi128_si32(_mm512_castsi512_si128(v)); (void)sink; });
  return operations(iterations, 64);
}

}  // namespace slm::bench::x86
