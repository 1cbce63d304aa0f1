// GEMM kernels with AVX512_VNNI for Q4_K and Q6_K (compiled with -mavx512vnni on top of
// the AVX-512 and AVX2 flags), on groups of 32 rows (gemm_vnni_groups.inc), one int32 or
// float lane per row in two vectors, so every broadcast activation serves 32 rows. The results are bit-identical to the dot products (and so to
// llama.cpp's x86 build, see hsum4 in simd_common.h): each output keeps the 8 integer
// lanes of the dot product, lane k holding elements 4k..4k+3 of every 32, and adds them
// to 8 float lanes with a fused d · lane per super-block. So that the sub-block scales need
// no multiply per lane, every level is stored premultiplied by its scale as an int16, two
// neighbours per word, and vpdpwssd adds them against the token's int16 activations. The
// mins (Q4_K) and the -32 offset (Q6_K) meet the activations' bsums through vpdpwssd on
// (word, word) pairs, lane by lane as the dot products do.

// GCC 12's avx512fintrin.h hands _mm512_undefined_*() values to masked builtins and then
// warns about them itself (a compiler bug); no undefined lane is ever read here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVX512VNNI__)
#error "gemm_avx512vnni_k.cpp needs -mavx512vnni"
#endif

namespace slm::x86::avx512vnni {
#include "kernels/x86/gemm_common.inc"
#include "kernels/x86/gemm_vnni_groups.inc"

namespace {

constexpr int kLanes = 8;        // float lanes of a K-quant dot product
constexpr int kLaneWords = 16;   // (int16, int16) words per lane and super-block: 8 sub-blocks x 2
constexpr int kMinLanes = 4;     // Q4_K's lanes of min terms
constexpr int kHalves = 2;       // vectors of 16 rows per group: each broadcast activation serves both
constexpr int kRowsK = kHalves * kGroupRows;

// One group of up to 32 rows, decoded. `scaled[((k * n_super + i) * 16 + 2j + p) * 32 + r]`
// holds row r's scale · level for elements 32j + 4k + 2p and + 1 of super-block i; `pairs`
// one (word, word) pair per row for each two bsums (Q4_K: sub-block j's min twice; Q6_K:
// the scales of 16-element sub-blocks 2j and 2j+1); d (and Q4_K's dmin) per row.
struct DecodedK {
  int64_t n_super = 0;
  std::vector<uint32_t> scaled;
  std::vector<int32_t> pairs;
  std::vector<float> d, dmin;

  void reset(int64_t super_blocks) {
    n_super = super_blocks;
    scaled.assign(static_cast<size_t>(kLanes * n_super * kLaneWords * kRowsK), 0);
    pairs.assign(static_cast<size_t>(n_super * 8 * kRowsK), 0);
    d.assign(static_cast<size_t>(n_super * kRowsK), 0.0f);
    dmin.assign(static_cast<size_t>(n_super * kRowsK), 0.0f);
  }
  // Row r's 256 premultiplied levels of super-block i.
  void put_scaled(int64_t i, int r, const int16_t* values) {
    for (int j = 0; j < 8; ++j) {
      for (int k = 0; k < kLanes; ++k) {
        for (int p = 0; p < 2; ++p) {
          const int e = 32 * j + 4 * k + 2 * p;
          const uint32_t word = static_cast<uint16_t>(values[e]) | (static_cast<uint32_t>(static_cast<uint16_t>(values[e + 1])) << 16);
          scaled[static_cast<size_t>(((k * n_super + i) * kLaneWords + 2 * j + p) * kRowsK + r)] = word;
        }
      }
    }
  }
  const uint32_t* lane_words(int k, int64_t i) const { return scaled.data() + (k * n_super + i) * kLaneWords * kRowsK; }
  __m512i pair_vector(int64_t i, int p, int half) const {
    return _mm512_loadu_si512(pairs.data() + (i * 8 + p) * kRowsK + half * kGroupRows);
  }
  __m512 d_vector(int64_t i, int half) const { return _mm512_loadu_ps(d.data() + i * kRowsK + half * kGroupRows); }
  __m512 dmin_vector(int64_t i, int half) const { return _mm512_loadu_ps(dmin.data() + i * kRowsK + half * kGroupRows); }
};

inline int32_t word_pair(int lo, int hi) {
  return static_cast<int32_t>(static_cast<uint16_t>(lo) | (static_cast<uint32_t>(static_cast<uint16_t>(hi)) << 16));
}

// 32 unsigned levels times one scale per 16 (scale_lo for the first 16) into values[0..31].
inline void scale_levels(__m256i levels, int scale_lo, int scale_hi, int16_t* values) {
  const __m256i lo = _mm256_mullo_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(levels)),
                                        _mm256_set1_epi16(static_cast<short>(scale_lo)));
  const __m256i hi = _mm256_mullo_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(levels, 1)),
                                        _mm256_set1_epi16(static_cast<short>(scale_hi)));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(values), lo);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + 16), hi);
}

// Every token's Q8_K levels widened to int16 once per call, for vpdpwssd.
struct WideActivations {
  std::vector<int16_t> levels;  // n per token
};

void widen_activations(WideActivations& w, const GemmArgs& g) {
  w.levels.resize(static_cast<size_t>(g.n_tokens * g.n));
  for (int64_t t = 0; t < g.n_tokens; ++t) {
    const uint8_t* y = g.a + static_cast<size_t>(t) * g.a_stride;
    int16_t* out = w.levels.data() + t * g.n;
    for (int64_t i = 0; i < g.n / kQK_K; ++i) {
      for (int e = 0; e < kQK_K; e += 32) {
        _mm512_storeu_si512(out + i * kQK_K + e, _mm512_cvtepi8_epi16(load256(y + i * kQ8_KBytes + kQ8_KQs + e)));
      }
    }
  }
}

// A tile's float lanes: lanes[(k * C + c) * 2 + half] for C tokens and both halves.
template <int C>
struct TileLanes {
  __m512 v[kLanes * C * kHalves];
  __m512& at(int k, int c, int half) { return v[(k * C + c) * kHalves + half]; }
};

// lanes.at(k, c, half) = Σ over super-blocks of d · dy · (integer lane k, less Q6_K's offset),
// fused, as the dot products accumulate them. Integer lane k of super-block i is Σ over
// its 8 sub-blocks of scale · level · activation at elements 32j + 4k .. 32j + 4k + 3.
template <int C, bool kOffset>
inline void float_lanes(const GemmArgs& g, const DecodedK& w, const WideActivations& act, int64_t t0,
                        TileLanes<C>& lanes) {
  for (int k = 0; k < kLanes; ++k) {
    __m512 f[C][kHalves];
#pragma GCC unroll 16
    for (int c = 0; c < C; ++c) f[c][0] = f[c][1] = _mm512_setzero_ps();
    for (int64_t i = 0; i < w.n_super; ++i) {
      __m512i sums[C][kHalves];
#pragma GCC unroll 16
      for (int c = 0; c < C; ++c) sums[c][0] = sums[c][1] = _mm512_setzero_si512();
      const uint32_t* words = w.lane_words(k, i);
#pragma GCC unroll 16
      for (int v = 0; v < kLaneWords; ++v) {  // v = 2j + p
        const __m512i levels0 = _mm512_loadu_si512(words + v * kRowsK);
        const __m512i levels1 = _mm512_loadu_si512(words + v * kRowsK + kGroupRows);
        const int16_t* a = act.levels.data() + t0 * g.n + i * kQK_K + 32 * (v / 2) + 4 * k + 2 * (v % 2);
#pragma GCC unroll 16
        for (int c = 0; c < C; ++c) {
          int32_t word;
          std::memcpy(&word, a + c * g.n, sizeof(word));
          const __m512i b = _mm512_set1_epi32(word);
          sums[c][0] = _mm512_dpwssd_epi32(sums[c][0], levels0, b);
          sums[c][1] = _mm512_dpwssd_epi32(sums[c][1], levels1, b);
        }
      }
#pragma GCC unroll 16
      for (int c = 0; c < C; ++c) {
        const uint8_t* y = g.a + static_cast<size_t>(t0 + c) * g.a_stride + i * kQ8_KBytes;
        const __m512 dy = _mm512_set1_ps(load_f32(y));
        for (int h = 0; h < kHalves; ++h) {
          if constexpr (kOffset) {
            // Lane k loses 32 · (bsum 2k · scale 2k + bsum 2k+1 · scale 2k+1).
            const __m512i bsums = _mm512_set1_epi32(static_cast<int>(load_u32(y + kQ8_KBsums + 4 * k)));
            const __m512i offset = _mm512_dpwssd_epi32(_mm512_setzero_si512(), w.pair_vector(i, k, h), bsums);
            sums[c][h] = _mm512_sub_epi32(sums[c][h], _mm512_slli_epi32(offset, 5));
          }
          f[c][h] = _mm512_fmadd_ps(_mm512_mul_ps(w.d_vector(i, h), dy), _mm512_cvtepi32_ps(sums[c][h]), f[c][h]);
        }
      }
    }
    for (int c = 0; c < C; ++c) {
      for (int h = 0; h < kHalves; ++h) lanes.at(k, c, h) = f[c][h];
    }
  }
}

// (L0 + L4 + L2 + L6) + (L1 + L5 + L3 + L7) in the order of hsum(): halves, pairs, last two.
template <int C>
inline __m512 sum_lanes(TileLanes<C>& lanes, int c, int h) {
  const __m512 r0 = _mm512_add_ps(lanes.at(0, c, h), lanes.at(4, c, h));
  const __m512 r1 = _mm512_add_ps(lanes.at(1, c, h), lanes.at(5, c, h));
  const __m512 r2 = _mm512_add_ps(lanes.at(2, c, h), lanes.at(6, c, h));
  const __m512 r3 = _mm512_add_ps(lanes.at(3, c, h), lanes.at(7, c, h));
  return _mm512_add_ps(_mm512_add_ps(r0, r2), _mm512_add_ps(r1, r3));
}

// Rows r0.. of one token: the first 16 from `lo`, the rest from `hi`.
inline void store_rows(float* y, int rows, __m512 lo, __m512 hi) {
  store_group(y, std::min(rows, kGroupRows), lo);
  if (rows > kGroupRows) store_group(y + kGroupRows, rows - kGroupRows, hi);
}

// What both kernels share for the driver: widened activations, 32-row groups, 6 tokens.
struct KernelK {
  using Prepared = WideActivations;
  using Decoded = DecodedK;
  static constexpr int kRows = kRowsK;
  static constexpr int kTokens = 6;

  static void prepare(Prepared& p, const GemmArgs& g) { widen_activations(p, g); }
};

struct KernelQ4_K : KernelK {

  static void decode(Decoded& w, const GemmArgs& g, int64_t r0, int rows) {
    w.reset(g.n / kQK_K);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    alignas(64) int16_t values[kQK_K];
    for (int r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < w.n_super; ++i) {
        const uint8_t* x = g.w + static_cast<size_t>(r0 + r) * g.w_stride + i * sizeof(block_q4_K);
        uint8_t scales_mins[16];  // scales 0..7, then mins 0..7
        _mm_storeu_si128(reinterpret_cast<__m128i*>(scales_mins), unpack_k4_scales(x + offsetof(block_q4_K, scales)));
        for (int j = 0; j < 4; ++j) {  // 32 bytes: sub-block 2j in the low nibbles, 2j+1 in the high ones
          const __m256i raw = load256(x + offsetof(block_q4_K, qs) + 32 * j);
          const int s0 = scales_mins[2 * j], s1 = scales_mins[2 * j + 1];
          scale_levels(_mm256_and_si256(raw, low4), s0, s0, values + 64 * j);
          scale_levels(_mm256_and_si256(_mm256_srli_epi16(raw, 4), low4), s1, s1, values + 64 * j + 32);
        }
        w.put_scaled(i, r, values);
        for (int j = 0; j < 8; ++j) {
          w.pairs[static_cast<size_t>((i * 8 + j) * kRowsK + r)] = word_pair(scales_mins[8 + j], scales_mins[8 + j]);
        }
        w.d[static_cast<size_t>(i * kRowsK + r)] = load_f16(x + offsetof(block_q4_K, d));
        w.dmin[static_cast<size_t>(i * kRowsK + r)] = load_f16(x + offsetof(block_q4_K, dmin));
      }
    }
  }

  template <int C>
  static void tile(const GemmArgs& g, const Decoded& w, const Prepared& act, int64_t r0, int rows, int64_t t0) {
    TileLanes<C> lanes;
    float_lanes<C, false>(g, w, act, t0, lanes);
    for (int c = 0; c < C; ++c) {
      const uint8_t* a = g.a + static_cast<size_t>(t0 + c) * g.a_stride;
      __m512 out[kHalves];
      for (int h = 0; h < kHalves; ++h) {
        // Min lane k: -dy · dmin · (min 2k · Σ q8 of sub-block 2k + min 2k+1 · Σ q8 of 2k+1).
        __m512 m[kMinLanes];
        for (int k = 0; k < kMinLanes; ++k) {
          m[k] = _mm512_setzero_ps();
          for (int64_t i = 0; i < w.n_super; ++i) {
            const uint8_t* y = a + i * kQ8_KBytes;
            __m512i product = _mm512_setzero_si512();
            for (int j = 2 * k; j < 2 * k + 2; ++j) {
              const __m512i bsums = _mm512_set1_epi32(static_cast<int>(load_u32(y + kQ8_KBsums + 4 * j)));
              product = _mm512_dpwssd_epi32(product, w.pair_vector(i, j, h), bsums);
            }
            m[k] = _mm512_fmadd_ps(_mm512_mul_ps(w.dmin_vector(i, h), _mm512_set1_ps(-load_f32(y))),
                                   _mm512_cvtepi32_ps(product), m[k]);
          }
        }
        const __m512 mins = _mm512_add_ps(_mm512_add_ps(m[0], m[2]), _mm512_add_ps(m[1], m[3]));
        out[h] = _mm512_add_ps(sum_lanes(lanes, c, h), mins);
      }
      store_rows(g.y + (t0 + c) * g.y_stride + r0, rows, out[0], out[1]);
    }
  }
};

struct KernelQ6_K : KernelK {

  static void decode(Decoded& w, const GemmArgs& g, int64_t r0, int rows) {
    w.reset(g.n / kQK_K);
    alignas(64) int16_t values[kQK_K];
    for (int r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < w.n_super; ++i) {
        const uint8_t* x = g.w + static_cast<size_t>(r0 + r) * g.w_stride + i * sizeof(block_q6_K);
        const auto* scales = reinterpret_cast<const int8_t*>(x + offsetof(block_q6_K, scales));
        for (int h = 0; h < 2; ++h) {
          for (int k = 0; k < 4; ++k) {
            const int s = 8 * h + 2 * k;  // 16-element sub-blocks of quarter k
            scale_levels(q6_K_quarter(x, h, k), scales[s], scales[s + 1], values + 128 * h + 32 * k);
          }
        }
        w.put_scaled(i, r, values);
        for (int p = 0; p < 8; ++p) {
          w.pairs[static_cast<size_t>((i * 8 + p) * kRowsK + r)] = word_pair(scales[2 * p], scales[2 * p + 1]);
        }
        w.d[static_cast<size_t>(i * kRowsK + r)] = load_f16(x + offsetof(block_q6_K, d));
      }
    }
  }

  template <int C>
  static void tile(const GemmArgs& g, const Decoded& w, const Prepared& act, int64_t r0, int rows, int64_t t0) {
    TileLanes<C> lanes;
    float_lanes<C, true>(g, w, act, t0, lanes);
    for (int c = 0; c < C; ++c) {
      store_rows(g.y + (t0 + c) * g.y_stride + r0, rows, sum_lanes(lanes, c, 0), sum_lanes(lanes, c, 1));
    }
  }
};

}  // namespace

void gemm_q4_K(const GemmArgs& g) { gemm_groups<KernelQ4_K>(g); }
void gemm_q6_K(const GemmArgs& g) { gemm_groups<KernelQ6_K>(g); }

}  // namespace slm::x86::avx512vnni
