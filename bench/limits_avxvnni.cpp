// Peak int8 rate with AVX-VNNI: vpdpbusd on ymm (see limits_x86.h).
#include <immintrin.h>

#include "limits_x86.h"

namespace slm::bench::x86 {

namespace {
#include "limits_loops.inc"
}  // namespace

double int8_avxvnni(int64_t iterations, int seed) {
  run_chains(
      iterations, _mm256_set1_epi8(static_cast<char>(seed)), _mm256_set1_epi8(static_cast<char>(seed + 1)),
      [](__m256i v, __m256i b) { return _mm256_dpbusd_avx_epi32(v, v, b); },
      [](__m256i a, __m256i b) { return _mm256_add_epi32(a, b); },
      [](__m256i v) { volatile int sink = _mm256_extract_epi32(v, 0); (void)sink; });
  return operations(iterations, 32);
}

}  // namespace slm::bench::x86
