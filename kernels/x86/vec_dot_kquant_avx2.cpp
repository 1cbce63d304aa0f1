// AVX2 + FMA + F16C dot products of Q2_K, Q3_K, Q5_K and IQ4_XS against Q8_K (compiled
// with exactly those flags). Each computes the scalar reference's integers in the same
// lanes and its float operations in the same order, so the results are bit-identical
// (see vec_dot_ref.cpp for llama.cpp's x86 order that both follow).
#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

namespace slm::x86::avx2 {

float dot_q2_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q2_K);
  const __m256i low2 = _mm256_set1_epi8(3);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* x = w + i * kBytes;
    const uint8_t* y = a + i * kQ8_KBytes;
    const uint8_t* qs = x + offsetof(block_q2_K, qs);
    const __m128i packed = load128(x + offsetof(block_q2_K, scales));
    const float dy = load_f32(y);
    // The mins enter the lanes first.
    acc = _mm256_fmadd_ps(_mm256_set1_ps(-dy * load_f16(x + offsetof(block_q2_K, dmin))),
                          _mm256_cvtepi32_ps(q2_k_min_sums(packed, y + kQ8_KBsums)), acc);
    const __m256i sums = two_bit_plane_lane_sums<0>(q2_k_scales(packed), y + kQ8_KQs, [&](int h, int p) {
      return _mm256_and_si256(_mm256_srli_epi16(load256(qs + 32 * h), 2 * p), low2);
    });
    acc = _mm256_fmadd_ps(_mm256_set1_ps(dy * load_f16(x + offsetof(block_q2_K, d))), _mm256_cvtepi32_ps(sums), acc);
  }
  return hsum(acc);
}

float dot_q3_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q3_K);
  const __m256i low2 = _mm256_set1_epi8(3);
  const __m256i four = _mm256_set1_epi8(4);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* x = w + i * kBytes;
    const uint8_t* y = a + i * kQ8_KBytes;
    const uint8_t* qs = x + offsetof(block_q3_K, qs);
    const __m256i hmask = load256(x + offsetof(block_q3_K, hmask));
    const __m256i scales = _mm256_cvtepi8_epi16(q3_k_scales(x + offsetof(block_q3_K, scales)));
    // Levels as 0..7 = the 2-bit level plus 4 where the high bit (bit 4h + p of hmask[l])
    // is set; the offset of 4 leaves through the pairs.
    const __m256i sums = two_bit_plane_lane_sums<4>(scales, y + kQ8_KQs, [&](int h, int p) {
      const __m256i bit = _mm256_set1_epi8(static_cast<char>(1 << (4 * h + p)));
      const __m256i high = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hmask, bit), bit), four);
      return _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(load256(qs + 32 * h), 2 * p), low2), high);
    });
    acc = _mm256_fmadd_ps(_mm256_set1_ps(load_f32(y) * load_f16(x + offsetof(block_q3_K, d))), _mm256_cvtepi32_ps(sums), acc);
  }
  return hsum(acc);
}

float dot_q5_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q5_K);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256 acc = _mm256_setzero_ps();
  float min_sum = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* x = w + i * kBytes;
    const uint8_t* y = a + i * kQ8_KBytes;
    const uint8_t* qs = x + offsetof(block_q5_K, qs);
    const __m256i qh = load256(x + offsetof(block_q5_K, qh));
    const __m128i scales_mins = unpack_k4_scales(x + offsetof(block_q5_K, scales));
    const __m256i sums = k4_lane_sums(scales_mins, y + kQ8_KQs, [&](int g, __m256i& lo, __m256i& hi) {
      const __m256i raw = load256(qs + 32 * g);
      lo = _mm256_or_si256(_mm256_and_si256(raw, low4), k5_fifth_bits(qh, 2 * g));
      hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(raw, 4), low4), k5_fifth_bits(qh, 2 * g + 1));
    });
    const float dy = load_f32(y);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x) * dy), _mm256_cvtepi32_ps(sums), acc);
    const int32_t mins = hsum_epi32(k4_min_products(scales_mins, y + kQ8_KBsums));
    min_sum = fma_scalar(-dy * load_f16(x + offsetof(block_q5_K, dmin)), static_cast<float>(mins), min_sum);
  }
  return hsum(acc) + min_sum;
}

float dot_iq4_xs_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_iq4_xs);
  const __m128i values = load128(reinterpret_cast<const uint8_t*>(kIq4nlValues));
  const __m128i low4 = _mm_set1_epi8(0x0F);
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* x = w + i * kBytes;
    const uint8_t* q8 = a + i * kQ8_KBytes + kQ8_KQs;
    int16_t scales[8];
    iq4_xs_scales(x, scales);
    __m256i sums = _mm256_setzero_si256();
    for (int ib = 0; ib < 8; ++ib) {
      // Sub-block ib: the low nibbles of its 16 bytes are elements 0..15, the high ones 16..31.
      const __m128i raw = load128(x + offsetof(block_iq4_xs, qs) + 16 * ib);
      const __m256i q = _mm256_set_m128i(_mm_shuffle_epi8(values, _mm_and_si128(_mm_srli_epi16(raw, 4), low4)),
                                         _mm_shuffle_epi8(values, _mm_and_si128(raw, low4)));
      const __m256i y = load256(q8 + 32 * ib);
      // |level| · (activation with the level's sign): pairs at most 2 · 127 · 127.
      const __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(y, q));
      sums = _mm256_add_epi32(sums, _mm256_madd_epi16(pairs, _mm256_set1_epi16(scales[ib])));
    }
    sum = fma_scalar(load_f16(x + offsetof(block_iq4_xs, d)) * load_f32(a + i * kQ8_KBytes),
                     static_cast<float>(hsum_epi32(sums)), sum);
  }
  return sum;
}

}  // namespace slm::x86::avx2
