// AVX2 + FMA + F16C dot products (compiled with exactly those flags) of the 32-element
// formats read through formats_32.inc: Q4_1 and Q5_1 against Q8_1, IQ4_NL against Q8_0.
// Each block's integer sum is the scalar reference's exact integer, split over 8 int32
// lanes (lane k = elements 4k..4k+3); the float side keeps 8 lanes of partial sums (each
// block's scale product times its lane sums, fused into the running sum) added up at the
// end with hsum(), and the min terms m · s fused into one float in block order. For Q4_1
// and Q5_1 that is llama.cpp's x86 arithmetic, which the scalar reference follows too.
#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

namespace slm::x86::avx2 {
#include "kernels/x86/formats_32.inc"

namespace {

// Formats with unsigned levels (at most 31, so maddubs pairs stay inside int16) and a
// min, against Q8_1.
template <class F>
float dot_min_q8_1(int64_t n, const uint8_t* w, const uint8_t* a) {
  static_assert(F::kMin && !F::kSigned && F::kOffset == 0);
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc = _mm256_setzero_ps();
  float min_terms = 0.0f;  // Σ m_w · s_a
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const uint8_t* x = w + ib * F::kBytes;
    const uint8_t* y = a + ib * kQ8_1Bytes;
    min_terms = fma_f32(F::min(x), load_f16(y + offsetof(block_q8_1, s)), min_terms);
    const __m256i pairs = _mm256_maddubs_epi16(F::levels(x), load256(y + offsetof(block_q8_1, qs)));
    const __m256i s = _mm256_madd_epi16(pairs, ones);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x) * load_f16(y)), _mm256_cvtepi32_ps(s), acc);
  }
  return hsum(acc) + min_terms;
}

// Formats with signed levels, against Q8_0.
template <class F>
float dot_signed_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  static_assert(F::kSigned && !F::kMin);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const uint8_t* x = w + ib * F::kBytes;
    const uint8_t* y = a + ib * kQ8_0Bytes;
    const __m256i s = dot_i8_groups(F::levels(x), load256(y + kQ8_0Qs));
    acc = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x) * load_f16(y)), _mm256_cvtepi32_ps(s), acc);
  }
  return hsum(acc);
}

}  // namespace

float dot_q4_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a) { return dot_min_q8_1<Q4_1Format>(n, w, a); }
float dot_q5_1_q8_1(int64_t n, const uint8_t* w, const uint8_t* a) { return dot_min_q8_1<Q5_1Format>(n, w, a); }
float dot_iq4_nl_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  return dot_signed_q8_0<IQ4_NLFormat>(n, w, a);
}

}  // namespace slm::x86::avx2
