// AVX2 + FMA + F16C attention kernels: 16 lanes as two 8-float registers.
#include "kernels/attention_ref.h"
#include "kernels/x86/simd_common.h"
#include "kernels/x86/attention_x86.h"

namespace slm::x86::avx2 {

namespace {

struct Lanes16 {
  __m256 lo;  // lanes 0..7
  __m256 hi;  // lanes 8..15
};

inline Lanes16 zero16() { return {_mm256_setzero_ps(), _mm256_setzero_ps()}; }
inline Lanes16 splat16(float x) { return {_mm256_set1_ps(x), _mm256_set1_ps(x)}; }
inline Lanes16 load16(const float* p) { return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
inline Lanes16 load16(const uint16_t* p) {
  return {_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))),
          _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 8)))};
}
inline void store16(float* p, Lanes16 x) {
  _mm256_storeu_ps(p, x.lo);
  _mm256_storeu_ps(p + 8, x.hi);
}
inline Lanes16 fma16(Lanes16 a, Lanes16 b, Lanes16 c) {
  return {_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)};
}
inline Lanes16 round16(Lanes16 x) {
  return {_mm256_cvtph_ps(_mm256_cvtps_ph(x.lo, _MM_FROUND_TO_NEAREST_INT)),
          _mm256_cvtph_ps(_mm256_cvtps_ph(x.hi, _MM_FROUND_TO_NEAREST_INT))};
}
inline Lanes16 add16(Lanes16 a, Lanes16 b) { return {_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi)}; }

// Halves (lane i + lane i+8), quarters, then (0+2) + (1+3).
inline float sum16(Lanes16 x) { return hsum(_mm256_add_ps(x.lo, x.hi)); }

// out[i] = sum16(x[i]) for i < N.
template <int N>
inline void sum16_each(const Lanes16 (&x)[N], float* out) {
  for (int i = 0; i < N; ++i) out[i] = sum16(x[i]);
}

// Register tiles of the batched kernels (16 registers, two per Lanes16): 4 x 1 scores
// (8 accumulators, 1 key row, 1 query), 4 heads x 16 columns of sums (8 accumulators,
// 1 value vector, 1 probability).
constexpr int kScoreHeads = 4;
constexpr int score_rows(int) { return 1; }
constexpr int kMixHeads = 4;
constexpr int kMixVectors = 1;

}  // namespace

#include "kernels/x86/attention_simd.inc"

}  // namespace slm::x86::avx2
