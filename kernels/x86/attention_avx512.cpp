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

// out[i] = sum16(x[i]) for i < N <= 16, the N trees side by side: every level adds the
// halves of two vectors' lanes at once (shuffles put them side by side), 46 instructions
// for 16 sums instead of 8 each. Each sum is the same tree as sum16's, in the same order.
template <int N>
inline void sum16_each(const Lanes16 (&x)[N], float* out) {
  static_assert(N <= 16, "sum16_each adds up to 16 vectors");
  const auto lanes = [&](int i) { return i < N ? x[i].v : _mm512_setzero_ps(); };
  // Lane i + lane i+8: vectors 2k and 2k+1 give one vector of their eight sums each.
  __m512 halves[8];
#pragma GCC unroll 8
  for (int k = 0; k < 8; ++k) {
    const __m512 a = lanes(2 * k), b = lanes(2 * k + 1);
    halves[k] = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(1, 0, 1, 0)),
                              _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(3, 2, 3, 2)));
  }
  // + lane i+4: quarter r of quarters[m] holds vector 4m + r's four sums.
  __m512 quarters[4];
#pragma GCC unroll 4
  for (int m = 0; m < 4; ++m) {
    quarters[m] = _mm512_add_ps(_mm512_shuffle_f32x4(halves[2 * m], halves[2 * m + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                                _mm512_shuffle_f32x4(halves[2 * m], halves[2 * m + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  }
  // (0 + 2), (1 + 3) inside each quarter, then their sum: lane 4q + r is vector q + 4r's.
  __m512 pairs[2];
#pragma GCC unroll 2
  for (int m = 0; m < 2; ++m) {
    pairs[m] = _mm512_add_ps(_mm512_shuffle_ps(quarters[2 * m], quarters[2 * m + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm512_shuffle_ps(quarters[2 * m], quarters[2 * m + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  }
  const __m512 sums = _mm512_add_ps(_mm512_shuffle_ps(pairs[0], pairs[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                    _mm512_shuffle_ps(pairs[0], pairs[1], _MM_SHUFFLE(3, 1, 3, 1)));
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  _mm512_mask_storeu_ps(out, static_cast<__mmask16>((1u << N) - 1), _mm512_permutexvar_ps(order, sums));
}

// Register tiles of the batched kernels (32 registers): up to 16 scores, the most that
// one sum16_each adds up (4 heads x 4 key rows, 3 x 5, 2 x 8, 1 x 16: the accumulators,
// one key row and the heads' queries), 4 heads x 64 columns of sums (16 accumulators,
// 4 value vectors).
constexpr int kScoreHeads = 4;
constexpr int score_rows(int heads) { return 16 / heads; }
constexpr int kMixHeads = 4;
constexpr int kMixVectors = 4;

}  // namespace

#include "kernels/x86/attention_simd.inc"

}  // namespace slm::x86::avx512
