// AVX2 + FMA + F16C dot products of Q2_K, Q3_K, Q5_K and IQ4_XS against Q8_K (compiled
// with exactly those flags). Each computes the scalar reference's integers in the same
// lanes and its float operations in the same order, so the results are bit-identical
// (see vec_dot_ref.cpp for llama.cpp's x86 order that both follow).
#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

namespace slm::x86::avx2 {

float dot_q2_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q2_K);
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
    const __m256i sums = two_bit_plane_lane_sums<0>(q2_k_scales(packed), y + kQ8_KQs,
                                                    [&](int h, int p) { return two_bit_plane(qs, h, p); });
    acc = _mm256_fmadd_ps(_mm256_set1_ps(dy * load_f16(x + offsetof(block_q2_K, d))), _mm256_cvtepi32_ps(sums), acc);
  }
  return hsum(acc);
}

float dot_q3_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q3_K);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* x = w + i * kBytes;
    const uint8_t* y = a + i * kQ8_KBytes;
    const uint8_t* qs = x + offsetof(block_q3_K, qs);
    const __m256i hmask = load256(x + offsetof(block_q3_K, hmask));
    const __m256i scales = _mm256_cvtepi8_epi16(q3_k_scales(x + offsetof(block_q3_K, scales)));
    // The offset of 4 of q3_k_plane's levels leaves through the pairs.
    const __m256i sums = two_bit_plane_lane_sums<4>(scales, y + kQ8_KQs,
                                                    [&](int h, int p) { return q3_k_plane(qs, hmask, h, p); });
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
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* x = w + i * kBytes;
    const uint8_t* q8 = a + i * kQ8_KBytes + kQ8_KQs;
    int16_t scales[8];
    iq4_xs_scales(x, scales);
    __m256i sums = _mm256_setzero_si256();
    for (int ib = 0; ib < 8; ++ib) {
      const __m256i q = iq4_levels_32(x + offsetof(block_iq4_xs, qs) + 16 * ib);
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
