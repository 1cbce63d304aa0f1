// Small helpers shared by the x86 kernel files (AVX2 and up). Include only from files
// compiled with at least -mavx2 -mfma -mf16c. Everything here is `static inline`, so each
// file gets its own copy compiled with its own flags (see the rules in vec_dot_x86.h).
#pragma once

#include <immintrin.h>

#include <cstddef>  // offsetof
#include <cstdint>
#include <cstring>

#include "kernels/quant_blocks.h"

namespace slm::x86 {

// Unaligned loads from byte pointers into quantized blocks.
static inline __m256i load256(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
static inline __m128i load128(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

static inline float load_f16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, sizeof(h));
  return _cvtsh_ss(h);  // exact, like f16_to_f32
}

static inline float load_f32(const uint8_t* p) {
  float f;
  std::memcpy(&f, p, sizeof(f));
  return f;
}

static inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// a·b + c rounded once (std::fma is an inline function shared with files built without
// FMA; see vec_dot_x86.h).
static inline float fma_f32(float a, float b, float c) {
  return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
}

// Sum of the 8 lanes: halves, then pairs, then the last two.
static inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// 32 nibbles from 16 bytes: low nibbles in bytes 0..15, high nibbles in bytes 16..31,
// the element order of the 32-element formats. (The 16 bytes go to both halves, and the
// upper half is shifted right by 4.)
static inline __m256i nibbles_32(const uint8_t* p) {
  const __m256i both = _mm256_broadcastsi128_si256(load128(p));
  return _mm256_and_si256(_mm256_srlv_epi64(both, _mm256_set_epi64x(4, 4, 0, 0)), _mm256_set1_epi8(0x0F));
}

// The 16 IQ4_NL levels (kIq4nlValues, signed bytes), for byte shuffles by nibble.
static inline __m128i iq4_nl_levels() { return load128(reinterpret_cast<const uint8_t*>(kIq4nlValues)); }

// The 32 bits at p (element e = bit e) to 32 bytes, 0xFF where the bit is set.
static inline __m256i bits_to_bytes_32(const uint8_t* p) {
  // Byte j takes the source byte j / 8, then tests its bit j % 8.
  float bits;
  std::memcpy(&bits, p, sizeof(bits));
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_castps_si256(_mm256_set1_ps(bits)),
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
  const __m256i select = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ULL));
  return _mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select);
}

// Byte and word dot products on ymm: single VNNI instructions where the file is compiled
// for them (AVX512_VNNI with AVX512_VL, EVEX-encoded, or AVX-VNNI, VEX-encoded), the
// AVX2 pairs otherwise. Both give the same int32 lanes as long as the AVX2 pairs do not
// saturate, which each caller bounds.

// acc + Σ u·s over groups of four bytes, u unsigned and s signed. Without VNNI each pair
// of products must stay inside int16 (callers keep u <= 31, or use the sign trick of
// dot_i8_groups).
static inline __m256i add_dot_u8_s8(__m256i acc, __m256i u, __m256i s) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
  return _mm256_dpbusd_epi32(acc, u, s);
#elif defined(__AVXVNNI__)
  return _mm256_dpbusd_avx_epi32(acc, u, s);
#else
  return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
#endif
}

// acc + Σ of int16 pairs of `pairs` times `scales`, in int32 lanes (exact either way).
static inline __m256i add_scaled_pairs_256(__m256i acc, __m256i pairs, __m256i scales) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
  return _mm256_dpwssd_epi32(acc, pairs, scales);
#elif defined(__AVXVNNI__)
  return _mm256_dpwssd_avx_epi32(acc, pairs, scales);
#else
  return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, scales));
#endif
}

// Signed bytes x·y summed in groups of 4 consecutive bytes into 8 int32. y must not hold
// -128 (activation quants are in [-127, 127]); x may.
static inline __m256i dot_i8_groups(__m256i x, __m256i y) {
  const __m256i ax = _mm256_sign_epi8(x, x);  // |x|, read as unsigned (so -128 -> 128)
  const __m256i sy = _mm256_sign_epi8(y, x);  // y with x's sign, 0 where x is 0
  // AVX2 pairs: at most 2 · 128 · 127 = 32512, inside int16.
  return add_dot_u8_s8(_mm256_setzero_si256(), ax, sy);
}

// Transposes 8 rows of 8 int32 (x[r] = row r) into x[c] = column c.
static inline void transpose_8x8_epi32(__m256i x[8]) {
  __m256i t[8], u[8];
  for (int i = 0; i < 8; i += 2) {  // pairs of rows interleaved: a0 b0 a1 b1 | a4 b4 a5 b5, and the rest
    t[i] = _mm256_unpacklo_epi32(x[i], x[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(x[i], x[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {  // columns c and c + 4 of four rows
    u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
    u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
    u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
    u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int c = 0; c < 4; ++c) {
    x[c] = _mm256_permute2x128_si256(u[c], u[c + 4], 0x20);
    x[c + 4] = _mm256_permute2x128_si256(u[c], u[c + 4], 0x31);
  }
}

// Q4_K/Q5_K: the 8 six-bit scales (bytes 0..7) and mins (bytes 8..15) of a super-block
// from its 12 packed bytes (layout: unpack_scale_min_k4 in quant_blocks.h), four bytes at
// a time: scales 0..3 and mins 0..3 are the low 6 bits of bytes 0..3 and 4..7; scales and
// mins 4..7 take their low 4 bits from the nibbles of bytes 8..11 and their top 2 bits
// from the top bits of bytes 0..3 (scales) and 4..7 (mins).
static inline __m128i unpack_k4_scales(const uint8_t* packed) {
  uint32_t b[3];
  std::memcpy(b, packed, sizeof(b));
  const uint32_t low6 = 0x3f3f3f3f;
  const uint32_t low4 = 0x0f0f0f0f;
  const uint32_t low2 = 0x03030303;
  const uint32_t scales_0_3 = b[0] & low6;
  const uint32_t mins_0_3 = b[1] & low6;
  const uint32_t scales_4_7 = (b[2] & low4) | (((b[0] >> 6) & low2) << 4);
  const uint32_t mins_4_7 = ((b[2] >> 4) & low4) | (((b[1] >> 6) & low2) << 4);
  return _mm_setr_epi32(static_cast<int>(scales_0_3), static_cast<int>(scales_4_7), static_cast<int>(mins_0_3),
                        static_cast<int>(mins_4_7));
}

// K-quant dot products add their float lanes in the order of llama.cpp's x86 build (the
// reference outputs come from it): 8 lanes of level sums, lane k holding elements 4k..4k+3
// of every 32, each lane += d · sum once per super-block (fused), then hsum(); Q4_K's
// mins in 4 lanes, lane k for sub-blocks 2k and 2k+1, added last with hsum4().

// (v0 + v2) + (v1 + v3).
static inline float hsum4(__m128 v) {
  v = _mm_add_ps(v, _mm_movehl_ps(v, v));
  v = _mm_add_ss(v, _mm_movehdup_ps(v));
  return _mm_cvtss_f32(v);
}

// Q4_K/Q5_K: lane k = min(2k) · Σ q8 of sub-block 2k + min(2k+1) · Σ q8 of sub-block 2k+1,
// from unpack_k4_scales' bytes and the 16 bsums of a Q8_K block.
static inline __m128i k4_min_products(__m128i scales_mins, const uint8_t* bsums) {
  const __m256i b = load256(bsums);
  const __m128i sub_block_sums = _mm_hadd_epi16(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
  return _mm_madd_epi16(_mm_cvtepu8_epi16(_mm_unpackhi_epi64(scales_mins, scales_mins)), sub_block_sums);
}

// Shuffle control that copies 16-bit word j of each 128-bit lane to every word of it.
static inline __m256i word_broadcast_pattern(int j) {
  return _mm256_set1_epi16(static_cast<short>(((2 * j + 1) << 8) | (2 * j)));
}

// Shuffle control that copies word 2k of the low 128-bit lane to all its words and word
// 2k+1 of the high lane to all of its: with the 8 scales of 16-element sub-blocks of a
// half super-block in both lanes, the scales of the 32 elements of its quarter k.
static inline __m256i sub_block_pair_pattern(int k) {
  return _mm256_set_m128i(_mm256_castsi256_si128(word_broadcast_pattern(2 * k + 1)),
                          _mm256_castsi256_si128(word_broadcast_pattern(2 * k)));
}

// Sums of the int32 lanes (exact, so in any order).
static inline int32_t hsum_epi32(__m128i v) {
  v = _mm_add_epi32(v, _mm_unpackhi_epi64(v, v));
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 1));
  return _mm_cvtsi128_si32(v);
}
static inline int32_t hsum_epi32(__m256i v) {
  return hsum_epi32(_mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

// a · b + c with one rounding.
static inline float fma_scalar(float a, float b, float c) {
  return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
}

// Q4_K/Q5_K: the 8 int32 lanes of one super-block as llama.cpp's x86 code keeps them (lane
// k: elements 4k..4k+3 of every 32, times their sub-block's scale). `levels(g, lo, hi)`
// gives the levels of sub-blocks 2g and 2g+1 (elements 64g onwards) as bytes below 32.
template <class Levels>
static inline __m256i k4_lane_sums(__m128i scales_mins, const uint8_t* q8, Levels levels) {
  const __m256i scales = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scales_mins));  // 8 words, both lanes
  __m256i sums = _mm256_setzero_si256();
  for (int g = 0; g < 4; ++g) {
    __m256i lo, hi;
    levels(g, lo, hi);
    // Pairs of level · quant: at most 2 · 31 · 127, then times a scale below 64.
    const __m256i plo = _mm256_maddubs_epi16(lo, load256(q8 + 64 * g));
    const __m256i phi = _mm256_maddubs_epi16(hi, load256(q8 + 64 * g + 32));
    sums = add_scaled_pairs_256(sums, plo, _mm256_shuffle_epi8(scales, word_broadcast_pattern(2 * g)));
    sums = add_scaled_pairs_256(sums, phi, _mm256_shuffle_epi8(scales, word_broadcast_pattern(2 * g + 1)));
  }
  return sums;
}

// Q5_K: the fifth bit of 32 elements as 0 or 16 per byte: bit b of each qh byte (qh[l]
// bit b belongs to element 32b + l). 16-bit shifts move it to bit 4 of its own byte.
static inline __m256i k5_fifth_bits(__m256i qh, int b) {
  const __m256i moved = b <= 4 ? _mm256_slli_epi16(qh, 4 - b) : _mm256_srli_epi16(qh, b - 4);
  return _mm256_and_si256(moved, _mm256_set1_epi8(16));
}

// Q2_K/Q3_K: the 8 int32 lanes of one super-block as llama.cpp's x86 code keeps them (lane
// k: elements 4k..4k+3 of every 32, times their 16-element sub-block's scale), from the 16
// scales as words and `levels(h, p)`, the 32 levels of plane p of half h (elements 128h +
// 32p onwards) as bytes below 8, each standing for level - kOffset.
template <int kOffset, class Levels>
static inline __m256i two_bit_plane_lane_sums(__m256i scales, const uint8_t* q8, Levels levels) {
  __m256i sums = _mm256_setzero_si256();
  for (int h = 0; h < 2; ++h) {
    const __m256i half_scales =
        _mm256_broadcastsi128_si256(h == 0 ? _mm256_castsi256_si128(scales) : _mm256_extracti128_si256(scales, 1));
    for (int p = 0; p < 4; ++p) {
      const __m256i y = load256(q8 + 128 * h + 32 * p);
      // Pairs at most 2 · 7 · 127, less 2 · 4 · 128; times a scale in [-32, 31].
      __m256i pairs = _mm256_maddubs_epi16(levels(h, p), y);
      if constexpr (kOffset != 0) pairs = _mm256_sub_epi16(pairs, _mm256_maddubs_epi16(_mm256_set1_epi8(kOffset), y));
      sums = add_scaled_pairs_256(sums, pairs, _mm256_shuffle_epi8(half_scales, sub_block_pair_pattern(p)));
    }
  }
  return sums;
}

// Q2_K/Q3_K: the 2-bit levels of plane p of half h (elements 128h + 32p onwards) as bytes.
static inline __m256i two_bit_plane(const uint8_t* qs, int h, int p) {
  return _mm256_and_si256(_mm256_srli_epi16(load256(qs + 32 * h), 2 * p), _mm256_set1_epi8(3));
}

// Q3_K: the levels of plane p of half h as bytes 0..7 standing for level + 4: the 2-bit
// level plus 4 where the high bit (bit b = 4h + p of hmask[l]) is set. 16-bit shifts move
// bit b of both bytes of a word to bit 2 of the same byte.
static inline __m256i q3_k_plane(const uint8_t* qs, __m256i hmask, int h, int p) {
  const int b = 4 * h + p;
  const __m256i moved = b >= 2 ? _mm256_srli_epi16(hmask, b - 2) : _mm256_slli_epi16(hmask, 2 - b);
  return _mm256_or_si256(two_bit_plane(qs, h, p), _mm256_and_si256(moved, _mm256_set1_epi8(4)));
}

// IQ4_XS/IQ4_NL: the 32 signed levels of the 16 bytes at p, low nibbles first.
static inline __m256i iq4_levels_32(const uint8_t* p) {
  const __m128i values = load128(reinterpret_cast<const uint8_t*>(kIq4nlValues));
  const __m128i low4 = _mm_set1_epi8(0x0F);
  const __m128i raw = load128(p);
  return _mm256_set_m128i(_mm_shuffle_epi8(values, _mm_and_si128(_mm_srli_epi16(raw, 4), low4)),
                          _mm_shuffle_epi8(values, _mm_and_si128(raw, low4)));
}

// Q2_K: the 16 four-bit scales (low nibbles of the packed bytes) as words.
static inline __m256i q2_k_scales(__m128i packed) {
  return _mm256_cvtepu8_epi16(_mm_and_si128(packed, _mm_set1_epi8(0x0F)));
}

// Q2_K: the mins (high nibbles) times the Q8_K bsums, in llama.cpp's x86 lanes: lane k
// holds sub-blocks 2k and 2k+1.
static inline __m256i q2_k_min_sums(__m128i packed, const uint8_t* bsums) {
  const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F)));
  return _mm256_madd_epi16(mins, load256(bsums));
}

// Q3_K: the 16 signed scales (scale k in byte k, see q3_k_scale in quant_blocks.h): low 4
// bits from the nibbles of bytes 0..7 (low nibbles for scales 0..7), top 2 bits from the
// 2-bit fields of bytes 8..11 (field k / 4 of byte 8 + k % 4), minus 32.
static inline __m128i q3_k_scales(const uint8_t* packed) {
  uint32_t b[3];
  std::memcpy(b, packed, sizeof(b));
  const uint32_t low4 = 0x0f0f0f0f;
  const uint32_t low2 = 0x03030303;
  const __m128i unsigned_scales = _mm_setr_epi32(static_cast<int>((b[0] & low4) | ((b[2] & low2) << 4)),
                                                 static_cast<int>((b[1] & low4) | (((b[2] >> 2) & low2) << 4)),
                                                 static_cast<int>(((b[0] >> 4) & low4) | (((b[2] >> 4) & low2) << 4)),
                                                 static_cast<int>(((b[1] >> 4) & low4) | (((b[2] >> 6) & low2) << 4)));
  return _mm_sub_epi8(unsigned_scales, _mm_set1_epi8(32));
}

// IQ4_XS: the 8 signed scales, sub-block ib's from nibble ib % 2 of scales_l[ib / 2] and
// bits 2ib, 2ib+1 of scales_h, minus 32.
static inline void iq4_xs_scales(const uint8_t* block, int16_t* scales) {
  uint16_t high;
  std::memcpy(&high, block + offsetof(block_iq4_xs, scales_h), sizeof(high));
  const uint8_t* low = block + offsetof(block_iq4_xs, scales_l);
  for (int ib = 0; ib < 8; ++ib) {
    const int nibble = (low[ib / 2] >> (4 * (ib % 2))) & 0xF;
    scales[ib] = static_cast<int16_t>((nibble | (((high >> (2 * ib)) & 3) << 4)) - 32);
  }
}

// Field offsets of the blocks, as byte counts.
inline constexpr int kQ8_0Bytes = sizeof(block_q8_0);
inline constexpr int kQ8_0Qs = offsetof(block_q8_0, qs);
inline constexpr int kQ8_1Bytes = sizeof(block_q8_1);
inline constexpr int kQ8_KBytes = sizeof(block_q8_K);
inline constexpr int kQ8_KQs = offsetof(block_q8_K, qs);
inline constexpr int kQ8_KBsums = offsetof(block_q8_K, bsums);

}  // namespace slm::x86
