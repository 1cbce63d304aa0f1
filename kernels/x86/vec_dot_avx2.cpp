// AVX2 + FMA + F16C dot products and activation converters (compiled with exactly those
// flags); the integer formats' dot products are in vec_dot_avx2.inc. Integer work per
// block as in the scalar reference; the float side keeps 8 lanes of partial sums per
// accumulator and adds them up at the end, which is the only difference from it.
#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

namespace slm::x86::avx2 {

#include "kernels/x86/vec_dot_avx2.inc"

float dot_f16_f16(int64_t n, const uint8_t* w, const uint8_t* a) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int j = 0; j < 4; ++j) {
      const __m256 x = _mm256_cvtph_ps(load128(w + 2 * (i + 8 * j)));
      const __m256 y = _mm256_cvtph_ps(load128(a + 2 * (i + 8 * j)));
      acc[j] = _mm256_fmadd_ps(x, y, acc[j]);
    }
  }
  double sum = hsum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  for (; i < n; ++i) sum += static_cast<double>(load_f16(w + 2 * i) * load_f16(a + 2 * i));
  return static_cast<float>(sum);
}

namespace {

// 32 floats to levels round_half_even(x · 127 / amax) (the x86 rule, see vec_dot_ref.cpp),
// stored as bytes; returns d = amax / 127 and, in *sum, the sum of the levels.
float quantize_q8_levels(const float* x, uint8_t* qs, int* sum) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 v[4];
  __m256 amax8 = _mm256_setzero_ps();
  for (int i = 0; i < 4; ++i) {
    v[i] = _mm256_loadu_ps(x + 8 * i);
    amax8 = _mm256_max_ps(amax8, _mm256_andnot_ps(sign, v[i]));
  }
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax8), _mm256_extractf128_ps(amax8, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  const float amax = _mm_cvtss_f32(m);
  const __m256 inverse = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
  __m256i q[4];
  for (int i = 0; i < 4; ++i) {
    q[i] = _mm256_cvtps_epi32(
        _mm256_round_ps(_mm256_mul_ps(v[i], inverse), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  const __m256i all = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(all), _mm256_extracti128_si256(all, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
  *sum = _mm_cvtsi128_si32(s);
  // Packing works within 128-bit halves; the permutation restores element order.
  const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs),
                      _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
  return amax / 127.0f;
}

uint16_t to_f16(float v) { return static_cast<uint16_t>(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT)); }

}  // namespace

void activations_q8_0(const float* x, uint8_t* a, int64_t n) {
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    uint8_t* block = a + ib * kQ8_0Bytes;
    int sum;
    const uint16_t d = to_f16(quantize_q8_levels(x + ib * kQK, block + kQ8_0Qs, &sum));
    std::memcpy(block + offsetof(block_q8_0, d), &d, sizeof(d));
  }
}

void activations_q8_1(const float* x, uint8_t* a, int64_t n) {
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    uint8_t* block = a + ib * kQ8_1Bytes;
    int sum;
    const float d = quantize_q8_levels(x + ib * kQK, block + offsetof(block_q8_1, qs), &sum);
    const uint16_t fields[2] = {to_f16(d), to_f16(d * static_cast<float>(sum))};
    std::memcpy(block + offsetof(block_q8_1, d), &fields[0], sizeof(uint16_t));
    std::memcpy(block + offsetof(block_q8_1, s), &fields[1], sizeof(uint16_t));
  }
}

}  // namespace slm::x86::avx2
