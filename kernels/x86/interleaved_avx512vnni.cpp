// Kernels on the interleaved layout with AVX512_VNNI (compiled with -mavx512vnni on top
// of the AVX-512 and AVX2 flags): one 512-bit register holds chunk k of all 16 rows of
// a group, so each vpdpbusd with four activation bytes broadcast adds four products to
// every row's lane, and a block ends with one multiply-add that scales 16 rows at once.
// The levels go in as unsigned bytes (Q4_0/Q4_1 nibbles 0..15, Q5_0/Q5_1 0..31, Q8_0
// bytes + 128, IQ4_NL table levels + 128), any offset taken from the activation sums.
// Decoding each block's levels once serves every token of a tile (up to 8 from
// registers).
//
// Each output is, block by block, (d_w·d_a)·Σ plus the running sum in one fused
// multiply-add, in block order: the scalar reference's arithmetic but for that fusion.
// Q4_1 and Q5_1 instead keep their dot product's 8 lanes and min sum (min_lanes_16.inc),
// so that their outputs equal the dot products (and llama.cpp's) exactly.

// GCC 12's avx512fintrin.h hands _mm512_undefined_*() values to masked builtins and then
// warns about them itself (a compiler bug); no undefined lane is ever read here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <vector>

#include "kernels/interleaved.h"
#include "kernels/x86/interleaved_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVX512VNNI__)
#error "interleaved_avx512vnni.cpp needs -mavx512vnni"
#endif

namespace slm::x86::avx512vnni {
#include "kernels/x86/interleaved_common.inc"
#include "kernels/x86/min_lanes_16.inc"

namespace {

// Levels of one group's block as unsigned bytes: lv[k] holds, for every row, the four
// levels that meet activation bytes 4k..4k+3.
struct Q4_0Levels {
  static constexpr int kQsBytes = 16;
  static constexpr int kOffset = 8;
  static constexpr bool kMin = false;
  // Chunk k's low nibbles are elements 4k.., its high nibbles elements 16 + 4k..
  static void load(const uint8_t* qs, __m512i lv[8]) {
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    for (int k = 0; k < 4; ++k) {
      const __m512i v = _mm512_loadu_si512(qs + 64 * k);
      lv[k] = _mm512_and_si512(v, low4);
      lv[k + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
    }
  }
};

struct Q8_0Levels {
  static constexpr int kQsBytes = 32;
  static constexpr int kOffset = 128;
  static constexpr bool kMin = false;
  static void load(const uint8_t* qs, __m512i lv[8]) {
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    for (int k = 0; k < 8; ++k) lv[k] = _mm512_xor_si512(_mm512_loadu_si512(qs + 64 * k), flip);
  }
};

// IQ4_NL: nibbles as in Q4_0, each looked up in the table of levels + 128 (1..241).
struct IQ4_NLLevels {
  static constexpr int kQsBytes = 16;
  static constexpr int kOffset = 128;
  static constexpr bool kMin = false;
  static void load(const uint8_t* qs, __m512i lv[8]) {
    const __m128i levels = _mm_xor_si128(iq4_nl_levels(), _mm_set1_epi8(static_cast<char>(0x80)));
    const __m512i table = _mm512_broadcast_i32x4(levels);
    Q4_0Levels::load(qs, lv);
    for (int k = 0; k < 8; ++k) lv[k] = _mm512_shuffle_epi8(table, lv[k]);
  }
};

// Q5_0: chunk 0 holds the rows' 32 fifth bits (qh), chunks 1..4 their nibbles as in
// Q4_0; level = nibble + 16 · fifth bit, 0..31.
struct Q5_0Levels {
  static constexpr int kQsBytes = 20;
  static constexpr int kOffset = 16;
  static constexpr bool kMin = false;
  static void load(const uint8_t* qs, __m512i lv[8]) {
    const __m512i qh = _mm512_loadu_si512(qs);
    Q4_0Levels::load(qs + 64, lv);
    for (int k = 0; k < 8; ++k) {
      // lv[k]'s levels are elements 4k..4k+3: bits 4k.. of qh, in its byte k / 2. That
      // byte goes to all four bytes of the row's lane, then byte j tests its bit.
      const int m = k / 2;
      const __m512i to_lane = _mm512_broadcast_i32x4(
          _mm_setr_epi32(0x01010101 * m, 0x01010101 * (4 + m), 0x01010101 * (8 + m), 0x01010101 * (12 + m)));
      const __m512i bit = _mm512_set1_epi32(k % 2 != 0 ? static_cast<int>(0x80402010u) : 0x08040201);
      const __mmask64 set = _mm512_test_epi8_mask(_mm512_shuffle_epi8(qh, to_lane), bit);
      lv[k] = _mm512_mask_add_epi8(lv[k], set, lv[k], _mm512_set1_epi8(16));
    }
  }
};

// Q4_1, Q5_1: the levels of Q4_0, Q5_0 without an offset; their mins meet the Q8_1 sums.
struct Q4_1Levels : Q4_0Levels {
  static constexpr int kOffset = 0;
  static constexpr bool kMin = true;
};

struct Q5_1Levels : Q5_0Levels {
  static constexpr int kOffset = 0;
  static constexpr bool kMin = true;
};

inline __m512i broadcast_u32(const uint8_t* p) { return _mm512_set1_epi32(static_cast<int>(load_u32(p))); }

template <class F>
struct Kernel {
  static constexpr int kQsBytes = F::kQsBytes;
  static constexpr int kOffset = F::kOffset;
  static constexpr bool kMin = F::kMin;
  using Act = ActivationTables<kMin>;
  // Tokens whose float accumulators stay in registers: one per token, or with a min the
  // dot product's 8 lanes and the min sum (27 of 32 registers for 3 tokens; 4 measured
  // no faster).
  static constexpr int kTokens = kMin ? 3 : 8;

  template <int C>
  static void tile(const InterleavedArgs& g, const uint8_t* qs, const uint8_t* scales, const Act& act, int64_t t0,
                   float* y) {
    if constexpr (kMin) {
      tile_min<C>(g, qs, scales, act, t0, y);
      return;
    }
    const int64_t nb = g.n / kQK;
    __m512 sum[C];
    for (int c = 0; c < C; ++c) sum[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      __m512i lv[8];
      F::load(qs + b * kInterleaveRows * kQsBytes, lv);
      const __m512 dw = _mm512_cvtph_ps(load256(scales + b * kGroupScaleBytes<kMin>));
      for (int c = 0; c < C; ++c) {
        const auto i = static_cast<size_t>((t0 + c) * nb + b);
        const uint8_t* q = activations(g, t0 + c, b);
        // Two chains of four instead of one of eight: each vpdpbusd waits for the last.
        __m512i even = _mm512_set1_epi32(act.start[i]);
        __m512i odd = _mm512_setzero_si512();
        for (int k = 0; k < 8; k += 2) {
          even = _mm512_dpbusd_epi32(even, lv[k], broadcast_u32(q + 4 * k));
          odd = _mm512_dpbusd_epi32(odd, lv[k + 1], broadcast_u32(q + 4 * k + 4));
        }
        const __m512 block = _mm512_cvtepi32_ps(_mm512_add_epi32(even, odd));
        sum[c] = _mm512_fmadd_ps(block, _mm512_mul_ps(dw, _mm512_set1_ps(act.d[i])), sum[c]);
      }
    }
    for (int c = 0; c < C; ++c) _mm512_storeu_ps(y + (t0 + c) * g.y_stride, sum[c]);
  }

  // Q4_1, Q5_1: every row's dot product, bit for bit (min_lanes_16.inc).
  template <int C>
  static void tile_min(const InterleavedArgs& g, const uint8_t* qs, const uint8_t* scales, const Act& act, int64_t t0,
                       float* y) {
    const int64_t nb = g.n / kQK;
    MinLanes16<C> lanes;
    lanes.clear();
    for (int64_t b = 0; b < nb; ++b) {
      __m512i lv[8];
      F::load(qs + b * kInterleaveRows * kQsBytes, lv);
      const uint8_t* d = scales + b * kGroupScaleBytes<kMin>;
      const __m512 dw = _mm512_cvtph_ps(load256(d));
      const uint8_t* q[C];
      __m512 dwda[C];
      float s[C];
      for (int c = 0; c < C; ++c) {
        const auto i = static_cast<size_t>((t0 + c) * nb + b);
        q[c] = activations(g, t0 + c, b);
        dwda[c] = _mm512_mul_ps(dw, _mm512_set1_ps(act.d[i]));
        s[c] = act.s[i];
      }
      lanes.add_block(lv, q, dwda, _mm512_cvtph_ps(load256(d + 2 * kInterleaveRows)), s);
    }
    for (int c = 0; c < C; ++c) _mm512_storeu_ps(y + (t0 + c) * g.y_stride, lanes.total(c));
  }

  // Token t's activation bytes of block b.
  static const uint8_t* activations(const InterleavedArgs& g, int64_t t, int64_t b) {
    return g.a + static_cast<size_t>(t) * g.a_stride + b * Act::kBytes + Act::kQs;
  }
};

}  // namespace

void interleaved_q4_0(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q4_0Levels>>(g); }
void interleaved_q4_1(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q4_1Levels>>(g); }
void interleaved_q5_0(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q5_0Levels>>(g); }
void interleaved_q5_1(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q5_1Levels>>(g); }
void interleaved_q8_0(const InterleavedArgs& g) { interleaved_gemm<Kernel<Q8_0Levels>>(g); }
void interleaved_iq4_nl(const InterleavedArgs& g) { interleaved_gemm<Kernel<IQ4_NLLevels>>(g); }

}  // namespace slm::x86::avx512vnni
