// AVX2 + FMA + F16C kernels of ops.h: vcvtps2ph rounds exactly as f32_to_f16 (fp16.h),
// the GELU table is gathered eight entries at a time, and exp8 is ops_ref's exp_poly lane
// by lane, so every kernel gives the scalar results bit for bit.
#include <immintrin.h>

#include <cmath>

#include "kernels/ops.h"
#include "kernels/ops_ref.h"
#include "kernels/x86/ops_x86.h"
#include "kernels/x86/simd_common.h"

namespace slm::x86::avx2 {

namespace {

// exp_poly (ops_ref.h) on 8 lanes.
__m256 exp8(__m256 x) {
  const __m256 shift = _mm256_set1_ps(0x1.8p23f);
  const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shift);
  const __m256 n = _mm256_sub_ps(z, shift);
  const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                    _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
  const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
  const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1.0f))));
  const __m256 u = _mm256_mul_ps(b, b);
  const __m256 j = _mm256_fmadd_ps(
      _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                      _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
      u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
  const __m256 result = _mm256_fmadd_ps(j, k, k);
  const __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), n);
  const __m256 split = _mm256_cmp_ps(magnitude, _mm256_set1_ps(126.0f), _CMP_GT_OQ);
  if (_mm256_movemask_ps(split) == 0) return result;
  // Lanes with |n| > 126: 2^n as two factors; beyond 192 the result is 0 or infinity.
  const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                     _mm256_set1_epi32(static_cast<int>(0x82000000u)));
  const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
  const __m256 far = _mm256_cmp_ps(magnitude, _mm256_set1_ps(192.0f), _CMP_GT_OQ);
  const __m256 scaled = _mm256_blendv_ps(_mm256_mul_ps(_mm256_fmadd_ps(s2, j, s2), s1), _mm256_mul_ps(s1, s1), far);
  return _mm256_blendv_ps(result, scaled, split);
}

}  // namespace

void swiglu(const float* gate, const float* up, float* y, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const int64_t grouped = n - n % ops_ref::kExpGroup;
  for (int64_t i = 0; i < grouped; i += 8) {
    const __m256 x = _mm256_loadu_ps(gate + i);
    const __m256 silu = _mm256_div_ps(x, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
  }
  ops_ref::swiglu(gate + grouped, up + grouped, y + grouped, n - grouped);
}

void softmax(float* x, int64_t n, int phase) {
  __m256 max8 = _mm256_set1_ps(-INFINITY);
  int64_t i = 0;
  // max_ps returns its second operand when either is NaN: NaNs are skipped, as in the
  // scalar comparison.
  for (; i + 8 <= n; i += 8) max8 = _mm256_max_ps(_mm256_loadu_ps(x + i), max8);
  __m128 m = _mm_max_ps(_mm256_extractf128_ps(max8, 1), _mm256_castps256_ps128(max8));
  m = _mm_max_ps(_mm_movehl_ps(m, m), m);
  m = _mm_max_ss(_mm_movehdup_ps(m), m);
  float max = _mm_cvtss_f32(m);
  for (; i < n; ++i) max = x[i] > max ? x[i] : max;
  const __m256 max_all = _mm256_set1_ps(max);
  double sum = 0.0;
  // One group of 16 cells from x + start: exp8 of both halves, stored back, summed in the
  // AVX-512 tree (sum_16_lanes). Groups that stick out of the row go through a copy whose
  // missing cells are -inf, which exp8 turns into the zeros of masked cells.
  const auto group = [&](float* p) {
    const __m256 lo = exp8(_mm256_sub_ps(_mm256_loadu_ps(p), max_all));
    const __m256 hi = exp8(_mm256_sub_ps(_mm256_loadu_ps(p + 8), max_all));
    _mm256_storeu_ps(p, lo);
    _mm256_storeu_ps(p + 8, hi);
    sum += hsum(_mm256_add_ps(lo, hi));
  };
  for (int64_t start = -phase; start < n; start += ops_ref::kExpGroup) {
    if (start >= 0 && start + ops_ref::kExpGroup <= n) {
      group(x + start);
      continue;
    }
    float cells[ops_ref::kExpGroup];
    for (int64_t l = 0; l < ops_ref::kExpGroup; ++l) {
      const int64_t j = start + l;
      cells[l] = j >= 0 && j < n ? x[j] : -INFINITY;
    }
    group(cells);
    for (int64_t l = 0; l < ops_ref::kExpGroup; ++l) {
      const int64_t j = start + l;
      if (j >= 0 && j < n) x[j] = cells[l];
    }
  }
  const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / sum));
  for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
  for (; i < n; ++i) x[i] *= _mm256_cvtss_f32(inv);
}

void geglu(const float* gate, const float* up, float* y, int64_t n) {
  const float* table = gelu_f16_table();
  const __m256 low = _mm256_set1_ps(-10.0f);
  const __m256 high = _mm256_set1_ps(10.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(gate + i);
    const __m256i bits = _mm256_cvtepu16_epi32(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
    __m256 gelu = _mm256_i32gather_ps(table, bits, 4);
    gelu = _mm256_blendv_ps(gelu, x, _mm256_cmp_ps(x, high, _CMP_GE_OQ));
    gelu = _mm256_andnot_ps(_mm256_cmp_ps(x, low, _CMP_LE_OQ), gelu);
    _mm256_storeu_ps(y + i, _mm256_mul_ps(gelu, _mm256_loadu_ps(up + i)));
  }
  ops_ref::geglu(gate + i, up + i, y + i, n - i);
}

void f32_to_f16(const float* x, uint16_t* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
  }
  ops_ref::f32_to_f16(x + i, y + i, n - i);
}

void f16_to_f32(const uint16_t* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i))));
  }
  ops_ref::f16_to_f32(x + i, y + i, n - i);
}

}  // namespace slm::x86::avx2
