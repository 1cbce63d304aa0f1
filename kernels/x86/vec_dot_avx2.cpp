// AVX2 + FMA + F16C dot products (compiled with exactly those flags). Integer work per
// block as in the scalar reference; the float side keeps 8 lanes of partial sums per
// accumulator and adds them up at the end, which is the only difference from it.
#include "kernels/x86/simd_common.h"
#include "kernels/x86/vec_dot_x86.h"

namespace slm::x86::avx2 {

namespace {

// A Q8_0 activation block: its scale and its 32 levels.
struct Q8Block {
  float d;
  __m256i qs;
};

Q8Block load_q8_0(const uint8_t* a, int64_t ib) {
  const uint8_t* y = a + ib * kQ8_0Bytes;
  return {load_f16(y), load256(y + offsetof(block_q8_0, qs))};
}

}  // namespace

float dot_q8_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  const int64_t nb = n / kQK;
  // Two accumulators so consecutive blocks do not wait on each other's FMA.
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  int64_t ib = 0;
  for (; ib + 2 <= nb; ib += 2) {
    const uint8_t* x0 = w + ib * kQ8_0Bytes;
    const uint8_t* x1 = x0 + kQ8_0Bytes;
    const Q8Block y0 = load_q8_0(a, ib);
    const Q8Block y1 = load_q8_0(a, ib + 1);
    const __m256i s0 = dot_i8_groups(load256(x0 + kQ8_0Qs), y0.qs);
    const __m256i s1 = dot_i8_groups(load256(x1 + kQ8_0Qs), y1.qs);
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x0) * y0.d), _mm256_cvtepi32_ps(s0), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x1) * y1.d), _mm256_cvtepi32_ps(s1), acc1);
  }
  if (ib < nb) {
    const uint8_t* x = w + ib * kQ8_0Bytes;
    const Q8Block y = load_q8_0(a, ib);
    const __m256i s = dot_i8_groups(load256(x + kQ8_0Qs), y.qs);
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x) * y.d), _mm256_cvtepi32_ps(s), acc0);
  }
  return hsum(_mm256_add_ps(acc0, acc1));
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

float dot_q4_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q4_0);
  const __m256i eight = _mm256_set1_epi8(8);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const uint8_t* x = w + ib * kBytes;
    const Q8Block y = load_q8_0(a, ib);
    const __m256i q = _mm256_sub_epi8(nibbles_32(x + offsetof(block_q4_0, qs)), eight);  // [-8, 7]
    const __m256i s = dot_i8_groups(q, y.qs);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x) * y.d), _mm256_cvtepi32_ps(s), acc);
  }
  return hsum(acc);
}

float dot_q5_0_q8_0(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q5_0);
  const __m256i high_nibble = _mm256_set1_epi8(static_cast<char>(0xF0));
  __m256 acc = _mm256_setzero_ps();
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    const uint8_t* x = w + ib * kBytes;
    const Q8Block y = load_q8_0(a, ib);
    // q - 16 as a signed byte: the nibble where the fifth bit is set, nibble | 0xF0
    // (= nibble - 16) where it is not.
    const __m256i fifth = bits_to_bytes_32(x + offsetof(block_q5_0, qh));
    const __m256i q = _mm256_or_si256(nibbles_32(x + offsetof(block_q5_0, qs)),
                                      _mm256_andnot_si256(fifth, high_nibble));
    const __m256i s = dot_i8_groups(q, y.qs);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x) * y.d), _mm256_cvtepi32_ps(s), acc);
  }
  return hsum(acc);
}

float dot_q4_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q4_K);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256i pick[8];
  for (int j = 0; j < 8; ++j) pick[j] = word_broadcast_pattern(j);
  __m256 acc = _mm256_setzero_ps();
  __m128 acc_min = _mm_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* x = w + i * kBytes;
    const uint8_t* y = a + i * kQ8_KBytes;
    const uint8_t* qs = x + offsetof(block_q4_K, qs);
    const uint8_t* q8 = y + kQ8_KQs;
    const __m128i scales_mins = unpack_k4_scales(x + offsetof(block_q4_K, scales));
    const __m256i scales = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scales_mins));  // 8 words, both lanes

    __m256i sums = _mm256_setzero_si256();
    for (int g = 0; g < 4; ++g) {
      const __m256i raw = load256(qs + 32 * g);
      const __m256i lo = _mm256_and_si256(raw, low4);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
      // Pairs of nibble · quant: at most 2 · 15 · 127, then times a scale below 64.
      const __m256i plo = _mm256_maddubs_epi16(lo, load256(q8 + 64 * g));
      const __m256i phi = _mm256_maddubs_epi16(hi, load256(q8 + 64 * g + 32));
      sums = _mm256_add_epi32(sums, _mm256_madd_epi16(plo, _mm256_shuffle_epi8(scales, pick[2 * g])));
      sums = _mm256_add_epi32(sums, _mm256_madd_epi16(phi, _mm256_shuffle_epi8(scales, pick[2 * g + 1])));
    }
    const float dy = load_f32(y);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x) * dy), _mm256_cvtepi32_ps(sums), acc);
    acc_min = _mm_fmadd_ps(_mm_set1_ps(-dy * load_f16(x + offsetof(block_q4_K, dmin))),
                           _mm_cvtepi32_ps(k4_min_products(scales_mins, y + kQ8_KBsums)), acc_min);
  }
  return hsum(acc) + hsum4(acc_min);
}

float dot_q6_K_q8_K(int64_t n, const uint8_t* w, const uint8_t* a) {
  constexpr int kBytes = sizeof(block_q6_K);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i bits01 = _mm256_set1_epi8(0x03);
  const __m256i bits23 = _mm256_set1_epi8(0x0C);
  const __m256i bits45 = _mm256_set1_epi8(0x30);
  const __m256i bits67 = _mm256_set1_epi8(static_cast<char>(0xC0));
  // Byte shuffles that put scale 2k (an int16 of the 8 scales of a half) in every word
  // of the low 128-bit lane and scale 2k+1 in the high lane.
  __m256i pick[4];
  for (int k = 0; k < 4; ++k) {
    const auto word = [](int s) { return static_cast<short>(((2 * s + 1) << 8) | (2 * s)); };
    pick[k] = _mm256_set_m128i(_mm_set1_epi16(word(2 * k + 1)), _mm_set1_epi16(word(2 * k)));
  }
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* x = w + i * kBytes;
    const uint8_t* y = a + i * kQ8_KBytes;
    const uint8_t* q8 = y + kQ8_KQs;
    const __m256i scales = _mm256_cvtepi8_epi16(load128(x + offsetof(block_q6_K, scales)));
    // Σ (q - 32) · a · scale = Σ q · a · scale - 32 · Σ scale · bsum, all exact in int32.
    const __m256i offset_sums = _mm256_madd_epi16(load256(y + kQ8_KBsums), scales);

    __m256i sums = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = x + offsetof(block_q6_K, ql) + 64 * h;
      const __m256i q0 = load256(ql);
      const __m256i q1 = load256(ql + 32);
      const __m256i qh = load256(x + offsetof(block_q6_K, qh) + 32 * h);
      // The four quarters of 32 elements, levels 0..63; shifts move only masked bits,
      // which stay inside their byte.
      const __m256i quarter[4] = {
          _mm256_or_si256(_mm256_and_si256(q0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, bits01), 4)),
          _mm256_or_si256(_mm256_and_si256(q1, low4), _mm256_slli_epi16(_mm256_and_si256(qh, bits23), 2)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q0, 4), low4), _mm256_and_si256(qh, bits45)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q1, 4), low4),
                          _mm256_srli_epi16(_mm256_and_si256(qh, bits67), 2)),
      };
      const __m256i half_scales = _mm256_broadcastsi128_si256(
          h == 0 ? _mm256_castsi256_si128(scales) : _mm256_extracti128_si256(scales, 1));
      for (int k = 0; k < 4; ++k) {
        // Pairs at most 2 · 63 · 128 = 16128; times a scale in [-128, 127].
        const __m256i pairs = _mm256_maddubs_epi16(quarter[k], load256(q8 + 128 * h + 32 * k));
        sums = _mm256_add_epi32(sums, _mm256_madd_epi16(pairs, _mm256_shuffle_epi8(half_scales, pick[k])));
      }
    }
    sums = _mm256_sub_epi32(sums, _mm256_slli_epi32(offset_sums, 5));
    acc = _mm256_fmadd_ps(_mm256_set1_ps(load_f16(x + offsetof(block_q6_K, d)) * load_f32(y)),
                          _mm256_cvtepi32_ps(sums), acc);
  }
  return hsum(acc);
}

}  // namespace slm::x86::avx2
