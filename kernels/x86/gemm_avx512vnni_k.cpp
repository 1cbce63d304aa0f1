// GEMM kernels with AVX512_VNNI for Q4_K and Q6_K (compiled with -mavx512vnni on top of
// the AVX-512 and AVX2 flags), on groups of 16 rows (gemm_vnni_groups.inc). Each
// super-block's levels are decoded to unsigned bytes and its sub-block scales to one
// int32 per row, so per sub-block and token a few vpdpbusd give every row's exact level
// sum, one vpmulld weights it by the row's scale and the super-block's integer sum grows
// exactly as in the dot products; the mins (Q4_K) and the -32 offset (Q6_K) meet the
// activations' bsums through vpdpwssd on (scale, scale) word pairs. The float side runs
// once per super-block and token for 16 rows.

// GCC 12's avx512fintrin.h hands _mm512_undefined_*() values to masked builtins and then
// warns about them itself (a compiler bug); no undefined lane is ever read here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>
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

constexpr int kSuperWords = 64 * kGroupRows;  // a super-block's levels: 64 four-byte groups x 16 rows

// One group of up to 16 rows, decoded. Per super-block: word 16k + r of `levels` holds
// levels 4k..4k+3 of row r; `scales` one vector of 16 int32 per sub-block; `pairs` one
// vector of 16 (word, word) pairs per two bsums (Q4_K: the sub-block's min twice; Q6_K:
// the scales of two 16-element sub-blocks); d (and Q4_K's dmin) per row.
struct DecodedK {
  std::vector<uint32_t> levels;
  std::vector<int32_t> scales, pairs;
  std::vector<float> d, dmin;

  void reset(int64_t n_super, int sub_blocks) {
    levels.assign(static_cast<size_t>(n_super * kSuperWords), 0);
    scales.assign(static_cast<size_t>(n_super * sub_blocks * kGroupRows), 0);
    pairs.assign(static_cast<size_t>(n_super * 8 * kGroupRows), 0);
    d.assign(static_cast<size_t>(n_super * kGroupRows), 0.0f);
    dmin.assign(static_cast<size_t>(n_super * kGroupRows), 0.0f);
  }
  // 32 levels starting at four-byte group k0 of super-block i, row r.
  void put_levels(int64_t i, int k0, int r, __m256i q) {
    uint32_t words[8];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(words), q);
    for (int k = 0; k < 8; ++k) levels[static_cast<size_t>(i * kSuperWords + kGroupRows * (k0 + k) + r)] = words[k];
  }
  __m512i level_vector(int64_t i, int k) const {
    return _mm512_loadu_si512(levels.data() + i * kSuperWords + kGroupRows * k);
  }
};

inline int32_t word_pair(int lo, int hi) {
  return static_cast<int32_t>(static_cast<uint16_t>(lo) | (static_cast<uint32_t>(static_cast<uint16_t>(hi)) << 16));
}

// The 16 rows' Σ over the super-block's eight bsum pairs of pair · bsums, as int32.
inline __m512i pair_sums(const DecodedK& w, int64_t i, const uint8_t* y) {
  __m512i acc = _mm512_setzero_si512();
  for (int p = 0; p < 8; ++p) {
    const __m512i pairs = _mm512_loadu_si512(w.pairs.data() + (i * 8 + p) * kGroupRows);
    acc = _mm512_dpwssd_epi32(acc, pairs, _mm512_set1_epi32(static_cast<int>(load_u32(y + kQ8_KBsums + 4 * p))));
  }
  return acc;
}

// isum + scale · Σ levels · q over `groups` four-byte groups from k0 of super-block i.
template <int kGroups>
inline __m512i add_sub_block(__m512i isum, const __m512i* levels, __m512i scale, const uint8_t* q) {
  __m512i acc = _mm512_setzero_si512();
  for (int k = 0; k < kGroups; ++k) {
    acc = _mm512_dpbusd_epi32(acc, levels[k], _mm512_set1_epi32(static_cast<int>(load_u32(q + 4 * k))));
  }
  return _mm512_add_epi32(isum, _mm512_mullo_epi32(acc, scale));
}

struct NoPreparation {};

struct KernelQ4_K {
  using Prepared = NoPreparation;
  using Decoded = DecodedK;
  static constexpr int kTokens = 6;

  static void prepare(Prepared&, const GemmArgs&) {}

  static void decode(Decoded& w, const GemmArgs& g, int64_t r0, int rows) {
    const int64_t n_super = g.n / kQK_K;
    w.reset(n_super, 8);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < n_super; ++i) {
        const uint8_t* x = g.w + static_cast<size_t>(r0 + r) * g.w_stride + i * sizeof(block_q4_K);
        for (int j = 0; j < 4; ++j) {  // 32 bytes: sub-block 2j in the low nibbles, 2j+1 in the high ones
          const __m256i raw = load256(x + offsetof(block_q4_K, qs) + 32 * j);
          w.put_levels(i, 16 * j, r, _mm256_and_si256(raw, low4));
          w.put_levels(i, 16 * j + 8, r, _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4));
        }
        uint8_t scales_mins[16];  // scales 0..7, then mins 0..7
        _mm_storeu_si128(reinterpret_cast<__m128i*>(scales_mins), unpack_k4_scales(x + offsetof(block_q4_K, scales)));
        for (int j = 0; j < 8; ++j) {
          w.scales[static_cast<size_t>((i * 8 + j) * kGroupRows + r)] = scales_mins[j];
          w.pairs[static_cast<size_t>((i * 8 + j) * kGroupRows + r)] = word_pair(scales_mins[8 + j], scales_mins[8 + j]);
        }
        w.d[static_cast<size_t>(i * kGroupRows + r)] = load_f16(x + offsetof(block_q4_K, d));
        w.dmin[static_cast<size_t>(i * kGroupRows + r)] = load_f16(x + offsetof(block_q4_K, dmin));
      }
    }
  }

  template <int C>
  static void tile(const GemmArgs& g, const Decoded& w, const Prepared&, int64_t r0, int rows, int64_t t0) {
    // Level and min terms in separate sums, subtracted at the end as the dot products do.
    __m512 sum[C], min_sum[C];
    for (int c = 0; c < C; ++c) sum[c] = min_sum[c] = _mm512_setzero_ps();
    const uint8_t* a[C];
    for (int c = 0; c < C; ++c) a[c] = g.a + static_cast<size_t>(t0 + c) * g.a_stride;
    for (int64_t i = 0; i < g.n / kQK_K; ++i) {
      __m512i isum[C];
      for (int c = 0; c < C; ++c) isum[c] = _mm512_setzero_si512();
      for (int j = 0; j < 8; ++j) {
        __m512i levels[8];
        for (int k = 0; k < 8; ++k) levels[k] = w.level_vector(i, 8 * j + k);
        const __m512i scale = _mm512_loadu_si512(w.scales.data() + (i * 8 + j) * kGroupRows);
        for (int c = 0; c < C; ++c) {
          isum[c] = add_sub_block<8>(isum[c], levels, scale, a[c] + i * kQ8_KBytes + kQ8_KQs + 32 * j);
        }
      }
      const __m512 d = _mm512_loadu_ps(w.d.data() + i * kGroupRows);
      const __m512 dmin = _mm512_loadu_ps(w.dmin.data() + i * kGroupRows);
      for (int c = 0; c < C; ++c) {
        const uint8_t* y = a[c] + i * kQ8_KBytes;
        const __m512 dy = _mm512_set1_ps(load_f32(y));
        sum[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[c]), _mm512_mul_ps(d, dy), sum[c]);
        min_sum[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(pair_sums(w, i, y)), _mm512_mul_ps(dmin, dy), min_sum[c]);
      }
    }
    for (int c = 0; c < C; ++c) store_group(g.y + (t0 + c) * g.y_stride + r0, rows, _mm512_sub_ps(sum[c], min_sum[c]));
  }
};

struct KernelQ6_K {
  using Prepared = NoPreparation;
  using Decoded = DecodedK;
  static constexpr int kTokens = 8;

  static void prepare(Prepared&, const GemmArgs&) {}

  static void decode(Decoded& w, const GemmArgs& g, int64_t r0, int rows) {
    const int64_t n_super = g.n / kQK_K;
    w.reset(n_super, 16);
    for (int r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < n_super; ++i) {
        const uint8_t* x = g.w + static_cast<size_t>(r0 + r) * g.w_stride + i * sizeof(block_q6_K);
        for (int h = 0; h < 2; ++h) {
          for (int k = 0; k < 4; ++k) w.put_levels(i, 32 * h + 8 * k, r, q6_K_quarter(x, h, k));
        }
        const auto* scales = reinterpret_cast<const int8_t*>(x + offsetof(block_q6_K, scales));
        for (int s = 0; s < 16; ++s) w.scales[static_cast<size_t>((i * 16 + s) * kGroupRows + r)] = scales[s];
        for (int p = 0; p < 8; ++p) {
          w.pairs[static_cast<size_t>((i * 8 + p) * kGroupRows + r)] = word_pair(scales[2 * p], scales[2 * p + 1]);
        }
        w.d[static_cast<size_t>(i * kGroupRows + r)] = load_f16(x + offsetof(block_q6_K, d));
      }
    }
  }

  template <int C>
  static void tile(const GemmArgs& g, const Decoded& w, const Prepared&, int64_t r0, int rows, int64_t t0) {
    __m512 sum[C];
    for (int c = 0; c < C; ++c) sum[c] = _mm512_setzero_ps();
    const uint8_t* a[C];
    for (int c = 0; c < C; ++c) a[c] = g.a + static_cast<size_t>(t0 + c) * g.a_stride;
    for (int64_t i = 0; i < g.n / kQK_K; ++i) {
      __m512i isum[C];
      for (int c = 0; c < C; ++c) isum[c] = _mm512_setzero_si512();
      for (int s = 0; s < 16; ++s) {  // 16-element sub-blocks
        __m512i levels[4];
        for (int k = 0; k < 4; ++k) levels[k] = w.level_vector(i, 4 * s + k);
        const __m512i scale = _mm512_loadu_si512(w.scales.data() + (i * 16 + s) * kGroupRows);
        for (int c = 0; c < C; ++c) {
          isum[c] = add_sub_block<4>(isum[c], levels, scale, a[c] + i * kQ8_KBytes + kQ8_KQs + 16 * s);
        }
      }
      const __m512 d = _mm512_loadu_ps(w.d.data() + i * kGroupRows);
      for (int c = 0; c < C; ++c) {
        const uint8_t* y = a[c] + i * kQ8_KBytes;
        // Σ (q - 32) · a · scale = Σ q · a · scale - 32 · Σ scale · bsum, exact in int32.
        const __m512i total = _mm512_sub_epi32(isum[c], _mm512_slli_epi32(pair_sums(w, i, y), 5));
        sum[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), _mm512_mul_ps(d, _mm512_set1_ps(load_f32(y))), sum[c]);
      }
    }
    for (int c = 0; c < C; ++c) store_group(g.y + (t0 + c) * g.y_stride + r0, rows, sum[c]);
  }
};

}  // namespace

void gemm_q4_K(const GemmArgs& g) { gemm_groups<KernelQ4_K>(g); }
void gemm_q6_K(const GemmArgs& g) { gemm_groups<KernelQ6_K>(g); }

}  // namespace slm::x86::avx512vnni
