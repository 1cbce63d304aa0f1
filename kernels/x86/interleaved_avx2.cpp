// Kernels on the interleaved layout with AVX2 + FMA + F16C (compiled with exactly those
// flags): a group's 16 rows in two halves of 8, one 32-bit lane per row, so a block's
// integer sums of 8 rows come out of byte multiply-adds without horizontal sums and one
// multiply-add scales them. Levels are decoded again per token from L1 (16 vector
// registers leave no room to keep them).
//
// Each output is, block by block, (d_w·d_a)·Σ plus the running sum in one fused
// multiply-add, in block order, like the AVX-512 VNNI kernels; Q4_1 and Q5_1 instead
// compute their dot products' arithmetic exactly, as there.
#include <vector>

#include "kernels/interleaved.h"
#include "kernels/x86/interleaved_x86.h"
#include "kernels/x86/simd_common.h"

namespace slm::x86::avx2 {
#include "kernels/x86/interleaved_common.inc"

namespace {

inline __m256i broadcast_u32(const uint8_t* p) { return _mm256_set1_epi32(static_cast<int>(load_u32(p))); }

// Σ level·q of one block for the 8 rows of a half group whose chunk 0 is at p, q the
// block's activation bytes; levels(p, k) are lane k's levels, elements 4k..4k+3 of each
// row, which meet activation bytes 4k..4k+3.
struct Q4_0Sums {
  static constexpr int kQsBytes = 16;
  static constexpr int kOffset = 8;
  static constexpr bool kMin = false;
  // Chunk k's low nibbles are elements 4k.., its high nibbles elements 16 + 4k..
  static __m256i levels(const uint8_t* p, int k) {
    const __m256i v = load256(p + 64 * (k % 4));
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    return k < 4 ? _mm256_and_si256(v, low4) : _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
  }
  static __m256i sum(const uint8_t* p, const uint8_t* q) {
    // int16 pairs: at most 8 · 2 · 15 · 128 = 30720, inside int16.
    __m256i pairs = _mm256_setzero_si256();
    for (int k = 0; k < 8; ++k) pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(levels(p, k), broadcast_u32(q + 4 * k)));
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  }
};

// Q5_0: chunk 0 holds the rows' fifth bits (qh), chunks 1..4 their nibbles as in Q4_0.
struct Q5_0Sums {
  static constexpr int kQsBytes = 20;
  static constexpr int kOffset = 16;
  static constexpr bool kMin = false;
  // 16 where element 4k + j of the lane's row has its fifth bit set: bits 4k.. of qh are
  // in its byte k / 2, which goes to all four bytes of the lane; byte j tests its bit.
  static __m256i fifth_bits(__m256i qh, int k) {
    const int m = k / 2;
    const __m256i to_lane = _mm256_broadcastsi128_si256(
        _mm_setr_epi32(0x01010101 * m, 0x01010101 * (4 + m), 0x01010101 * (8 + m), 0x01010101 * (12 + m)));
    const __m256i bit = _mm256_set1_epi32(k % 2 != 0 ? static_cast<int>(0x80402010u) : 0x08040201);
    const __m256i tested = _mm256_and_si256(_mm256_shuffle_epi8(qh, to_lane), bit);
    return _mm256_and_si256(_mm256_cmpeq_epi8(tested, bit), _mm256_set1_epi8(16));
  }
  static __m256i levels(const uint8_t* p, int k) {
    return _mm256_or_si256(Q4_0Sums::levels(p + 64, k), fifth_bits(load256(p), k));
  }
  static __m256i sum(const uint8_t* p, const uint8_t* q) {
    // Two int16 sums of four pairs each: at most 4 · 2 · 31 · 128 = 31744, inside int16.
    __m256i pairs[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int k = 0; k < 8; ++k) {
      pairs[k / 4] = _mm256_add_epi16(pairs[k / 4], _mm256_maddubs_epi16(levels(p, k), broadcast_u32(q + 4 * k)));
    }
    const __m256i ones = _mm256_set1_epi16(1);
    return _mm256_add_epi32(_mm256_madd_epi16(pairs[0], ones), _mm256_madd_epi16(pairs[1], ones));
  }
};

// Q4_1, Q5_1: the levels of Q4_0, Q5_0 without an offset; their mins meet the Q8_1 sums.
struct Q4_1Sums : Q4_0Sums {
  static constexpr int kOffset = 0;
  static constexpr bool kMin = true;
};

struct Q5_1Sums : Q5_0Sums {
  static constexpr int kOffset = 0;
  static constexpr bool kMin = true;
};

// IQ4_NL: nibbles as in Q4_0, each looked up in the table of signed levels. Signed
// pairs may reach 2 · 127 · 127, so every byte product goes through dot_i8_groups.
struct IQ4_NLSums {
  static constexpr int kQsBytes = 16;
  static constexpr int kOffset = 0;
  static constexpr bool kMin = false;
  static __m256i sum(const uint8_t* p, const uint8_t* q) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i table = _mm256_broadcastsi128_si256(iq4_nl_levels());
    __m256i acc = _mm256_setzero_si256();
    for (int k = 0; k < 4; ++k) {
      const __m256i v = load256(p + 64 * k);
      const __m256i low = _mm256_shuffle_epi8(table, _mm256_and_si256(v, low4));
      const __m256i high = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), low4));
      acc = _mm256_add_epi32(acc, dot_i8_groups(low, broadcast_u32(q + 4 * k)));
      acc = _mm256_add_epi32(acc, dot_i8_groups(high, broadcast_u32(q + 16 + 4 * k)));
    }
    return acc;
  }
};

struct Q8_0Sums {
  static constexpr int kQsBytes = 32;
  static constexpr int kOffset = 0;
  static constexpr bool kMin = false;
  static __m256i sum(const uint8_t* p, const uint8_t* q) {
    __m256i acc = _mm256_setzero_si256();
    for (int k = 0; k < 8; ++k) acc = _mm256_add_epi32(acc, dot_i8_groups(load256(p + 64 * k), broadcast_u32(q + 4 * k)));
    return acc;
  }
};

template <class F>
struct Kernel {
  static constexpr int kQsBytes = F::kQsBytes;
  static constexpr int kOffset = F::kOffset;
  static constexpr bool kMin = F::kMin;
  using Act = ActivationTables<kMin>;
  // With a min, one token's 8 lanes and min sum fill the registers.
  static constexpr int kTokens = kMin ? 1 : 4;
  static constexpr int kHalf = kInterleaveRows / 2;

  template <int C>
  static void tile(const InterleavedArgs& g, const uint8_t* qs, const uint8_t* scales, const Act& act, int64_t t0,
                   float* y) {
    if constexpr (kMin) {
      tile_min(g, qs, scales, act, t0, y);
      return;
    }
    const int64_t nb = g.n / kQK;
    for (int h = 0; h < 2; ++h) {
      __m256 sum[C];
      // Loops over tokens are unrolled so that the C sums stay in registers (rolled, GCC
      // keeps them on the stack and every block waits for a store).
#pragma GCC unroll 16
      for (int c = 0; c < C; ++c) sum[c] = _mm256_setzero_ps();
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* p = half_levels(qs, b, h);
        const __m256 dw = _mm256_cvtph_ps(load128(scales + b * kGroupScaleBytes<kMin> + 2 * kHalf * h));
#pragma GCC unroll 16
        for (int c = 0; c < C; ++c) {
          const auto i = static_cast<size_t>((t0 + c) * nb + b);
          const __m256i s = _mm256_add_epi32(F::sum(p, activations(g, t0 + c, b)), _mm256_set1_epi32(act.start[i]));
          sum[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw, _mm256_set1_ps(act.d[i])), sum[c]);
        }
      }
#pragma GCC unroll 16
      for (int c = 0; c < C; ++c) _mm256_storeu_ps(y + (t0 + c) * g.y_stride + kHalf * h, sum[c]);
    }
  }

  // Q4_1, Q5_1, one token: every row's dot product, bit for bit, as min_lanes_16.inc
  // computes it for 16 rows (8 lanes, lane k = elements 4k..4k+3, summed in hsum()'s
  // order, then the min sum).
  static void tile_min(const InterleavedArgs& g, const uint8_t* qs, const uint8_t* scales, const Act& act, int64_t t,
                       float* y) {
    const int64_t nb = g.n / kQK;
    const __m256i ones = _mm256_set1_epi16(1);
    for (int h = 0; h < 2; ++h) {
      __m256 lane[8], mins = _mm256_setzero_ps();
      for (__m256& l : lane) l = _mm256_setzero_ps();
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* p = half_levels(qs, b, h);
        const uint8_t* d = scales + b * kGroupScaleBytes<kMin> + 2 * kHalf * h;
        const auto i = static_cast<size_t>(t * nb + b);
        const uint8_t* q = activations(g, t, b);
        const __m256 dwda = _mm256_mul_ps(_mm256_cvtph_ps(load128(d)), _mm256_set1_ps(act.d[i]));
        for (int k = 0; k < 8; ++k) {
          const __m256i sum = _mm256_madd_epi16(_mm256_maddubs_epi16(F::levels(p, k), broadcast_u32(q + 4 * k)), ones);
          lane[k] = _mm256_fmadd_ps(dwda, _mm256_cvtepi32_ps(sum), lane[k]);
        }
        mins = _mm256_fmadd_ps(_mm256_cvtph_ps(load128(d + 2 * kInterleaveRows)), _mm256_set1_ps(act.s[i]), mins);
      }
      const __m256 t02 = _mm256_add_ps(_mm256_add_ps(lane[0], lane[4]), _mm256_add_ps(lane[2], lane[6]));
      const __m256 t13 = _mm256_add_ps(_mm256_add_ps(lane[1], lane[5]), _mm256_add_ps(lane[3], lane[7]));
      _mm256_storeu_ps(y + t * g.y_stride + kHalf * h, _mm256_add_ps(_mm256_add_ps(t02, t13), mins));
    }
  }

  // Chunk 0 of half h of the group's block b.
  static const uint8_t* half_levels(const uint8_t* qs, int64_t b, int h) {
    return qs + b * kInterleaveRows * kQsBytes + kHalf * kInterleaveChunk * h;
  }

  // Token t's activation bytes of block b.
  static const uint8_t* activations(const InterleavedArgs& g, int64_t t, int64_t b) {
    return g.a + static_cast<size_t>(t) * g.a_stride + b * Act::kBytes + Act::kQs;
  }
};

}  // namespace

void interleaved_q4_0(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q4_0Sums>>(g); }
void interleaved_q4_1(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q4_1Sums>>(g); }
void interleaved_q5_0(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q5_0Sums>>(g); }
void interleaved_q5_1(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q5_1Sums>>(g); }
void interleaved_q8_0(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q8_0Sums>>(g); }
void interleaved_iq4_nl(const InterleavedArgs& g) { interleaved_gemm<Kernel<IQ4_NLSums>>(g); }

}  // namespace slm::x86::avx2
