// Peak rates with AVX-512 F/BW/VL on zmm (see limits_x86.h).

#include "kernels/x86/avx512_gcc_warnings.h"
#include <immintrin.h>

#include "limits_x86.h"

namespace slm::bench::x86 {

namespace {
#include "limits_loops.inc"

int first(__m512i v) { return _mm_cvtsi128_si32(_mm512_castsi512_si128(v)); }
}  // namespace

double int8_avx512bw(int64_t iterations, int seed) {
  const __m512i ones = _mm512_set1_epi16(1);
  run_chains(
      iterations, _mm512_set1_epi8(static_cast<char>(seed)), _mm512_set1_epi8(static_cast<char>(seed + 1)),
      [&](__m512i v, __m512i b) { return _mm512_add_epi32(v, _mm512_madd_epi16(_mm512_maddubs_epi16(v, b), ones)); },
      [](__m512i a, __m512i b) { return _mm512_add_epi32(a, b); },
      [](__m512i v) { volatile int sink = first(v); (void)sink; });
  return operations(iterations, 64);
}

double fp32_avx512(int64_t iterations, int seed) {
  run_chains(
      iterations, _mm512_set1_ps(1e-7f), _mm512_set1_ps(1.0f + 1e-7f * static_cast<float>(seed)),
      [](__m512 v, __m512 b) { return _mm512_fmadd_ps(v, b, v); }, [](__m512 a, __m512 b) { return _mm512_add_ps(a, b); },
      [](__m512 v) { volatile float sink = _mm512_cvtss_f32(v); (void)sink; });
  return operations(iterations, 16);
}

}  // namespace slm::bench::x86
