// AVX-512 attention kernels: 16 lanes in one register.

#include "kernels/x86/avx512_gcc_warnings.h"

#include "kernels/attention_ref.h"
#include "kernels/x86/simd_common.h"
#include "kernels/x86/attention_x86.h"

namespace slm::x86::avx512 {

namespace {

struct Lanes16 {
  __m512 v;
};

inline Lanes16 zero16() { return {_mm512_setzero_ps()}; }
inline Lanes16 splat16(float x) { return {_mm512_set1_ps(x)}; }
inline Lanes16 load16(const float* p) { return {_mm512_loadu_ps(p)}; }
inline Lanes16 load16(const uint16_t* p) {
  return {_mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)))};
}
inline void store16(float* p, Lanes16 x) { _mm512_storeu_ps(p, x.v); }
inline Lanes16 fma16(Lanes16 a, Lanes16 b, Lanes16 c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
inline Lanes16 round16(Lanes16 x) {
  return {_mm512_cvtph_ps(_mm512_cvtps_ph(x.v, _MM_FROUND_TO_NEAREST_INT))};
}
inline Lanes16 add16(Lanes16 a, Lanes16 b) { return {_mm512_add_ps(a.v, b.v)}; }

// Halves (lane i + lane i+8), quarters, then (0+2) + (1+3).
inline float sum16(Lanes16 x) {
  return hsum(_mm256_add_ps(_mm512_castps512_ps256(x.v),
                            _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x.v), 1))));
}

// Register tiles of the batched kernels (32 registers): 4 x 4 scores (16 accumulators,
// 4 key rows, 1 query), 4 heads x 64 columns of sums (16 accumulators, 4 value vectors).
constexpr int kScoreHeads = 4;
constexpr int kScoreRows = 4;
constexpr int kMixHeads = 4;
constexpr int kMixVectors = 4;

}  // namespace

#include "kernels/x86/attention_simd.inc"

}  // namespace slm::x86::avx512
