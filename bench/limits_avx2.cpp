// Peak-rate loops for AVX2 + FMA on ymm (see limits_x86.h), and the bandwidth reader.
#include <immintrin.h>

#include "limits_x86.h"

namespace slm::bench::x86 {

namespace {
#include "limits_loops.inc"
}  // namespace

double int8_avx2(int64_t iterations, int seed) {
  const __m256i ones = _mm256_set1_epi16(1);
  run_chains(
      iterations, _mm256_set1_epi8(static_cast<char>(seed)), _mm256_set1_epi8(static_cast<char>(seed + 1)),
      [&](__m256i v, __m256i b) { return _mm256_add_epi32(v, _mm256_madd_epi16(_mm256_maddubs_epi16(v, b), ones)); },
      [](__m256i a, __m256i b) { return _mm256_add_epi32(a, b); },
      [](__m256i v) { volatile int sink = _mm256_extract_epi32(v, 0); (void)sink; });
  return operations(iterations, 32);
}

double fp32_avx2(int64_t iterations, int seed) {
  run_chains(
      iterations, _mm256_set1_ps(1e-7f), _mm256_set1_ps(1.0f + 1e-7f * static_cast<float>(seed)),
      [](__m256 v, __m256 b) { return _mm256_fmadd_ps(v, b, v); }, [](__m256 a, __m256 b) { return _mm256_add_ps(a, b); },
      [](__m256 v) { volatile float sink = _mm256_cvtss_f32(v); (void)sink; });
  return operations(iterations, 8);
}

uint64_t read_all(const uint8_t* p, size_t n) {
  __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
  for (size_t i = 0; i < n; i += 128) {
    for (int k = 0; k < 4; ++k) {
      acc[k] = _mm256_xor_si256(acc[k], _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32 * k)));
    }
  }
  const __m256i all = _mm256_xor_si256(_mm256_xor_si256(acc[0], acc[1]), _mm256_xor_si256(acc[2], acc[3]));
  return static_cast<uint64_t>(_mm256_extract_epi64(all, 0) ^ _mm256_extract_epi64(all, 3));
}

}  // namespace slm::bench::x86
