// AVX2 + F16C kernels of ops.h: vcvtps2ph rounds exactly as f32_to_f16 (fp16.h), and the
// GELU table is gathered eight entries at a time, so both give the scalar results.
#include <immintrin.h>

#include "kernels/ops.h"
#include "kernels/ops_ref.h"
#include "kernels/x86/ops_x86.h"

namespace slm::x86::avx2 {

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

}  // namespace slm::x86::avx2
