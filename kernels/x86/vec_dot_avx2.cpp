// AVX2 + FMA + F16C activation converters (compiled with exactly those flags) and the
// integer formats' dot products of vec_dot_avx2.inc (the float types' are in
// vec_dot_float_avx2.cpp).
#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

namespace slm::x86::avx2 {

#include "kernels/x86/vec_dot_avx2.inc"

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

// The rule of quant_ref's quantize_q8_K: the first element of largest magnitude, sign
// kept, maps to -127 (iscale = -127 / max), levels are round_half_even(iscale · x) capped
// at 127, d = 1 / iscale, bsums the sums of 16 levels; an all-zero block stays zero.
void activations_q8_K(const float* x, uint8_t* a, int64_t n) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t ib = 0; ib < n / kQK_K; ++ib) {
    const float* xb = x + ib * kQK_K;
    uint8_t* block = a + ib * kQ8_KBytes;
    std::memset(block, 0, kQ8_KBytes);
    __m256 amax8 = _mm256_setzero_ps();
    // max_ps returns its second operand when either is NaN: NaNs are skipped, as in the
    // scalar rule, so amax is the magnitude of an element found below.
    for (int i = 0; i < kQK_K; i += 8) amax8 = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(xb + i)), amax8);
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax8), _mm256_extractf128_ps(amax8, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    const float amax = _mm_cvtss_f32(m);
    if (amax == 0.0f) continue;
    // The first element of that magnitude gives the sign (ties between +max and -max).
    const __m256 amax_all = _mm256_set1_ps(amax);
    float max = amax;
    for (int i = 0; i < kQK_K; i += 8) {
      const __m256 magnitude = _mm256_andnot_ps(sign, _mm256_loadu_ps(xb + i));
      const int hits = _mm256_movemask_ps(_mm256_cmp_ps(magnitude, amax_all, _CMP_EQ_OQ));
      if (hits != 0) {
        max = xb[i + __builtin_ctz(static_cast<unsigned>(hits))];
        break;
      }
    }
    const float iscale = -127.0f / max;
    const __m256 scale = _mm256_set1_ps(iscale);
    const __m256i cap = _mm256_set1_epi32(127);
    int16_t bsums[kQK_K / 16];
    for (int i = 0; i < kQK_K; i += 32) {
      __m256i q[4];
      for (int k = 0; k < 4; ++k) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(xb + i + 8 * k), scale);
        const __m256i level =
            _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)), cap);
        // A NaN converts to INT_MIN, whose low byte the scalar rule stores: level 0.
        q[k] = _mm256_and_si256(level, _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_ORD_Q)));
      }
      for (int h = 0; h < 2; ++h) {
        const __m256i sum16 = _mm256_add_epi32(q[2 * h], q[2 * h + 1]);
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(sum16), _mm256_extracti128_si256(sum16, 1));
        s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
        bsums[i / 16 + h] = static_cast<int16_t>(_mm_cvtsi128_si32(s));
      }
      // Packing works within 128-bit halves; the permutation restores element order.
      const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(block + kQ8_KQs + i),
                          _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    }
    const float d = 1.0f / iscale;
    std::memcpy(block + offsetof(block_q8_K, d), &d, sizeof(d));
    std::memcpy(block + kQ8_KBsums, bsums, sizeof(bsums));
  }
}

}  // namespace slm::x86::avx2
