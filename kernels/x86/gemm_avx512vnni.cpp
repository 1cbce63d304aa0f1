// GEMM kernels with AVX512_VNNI (compiled with -mavx512vnni on top of the AVX-512 and
// AVX2 flags) for the 32-element formats, on groups of 16 rows (gemm_vnni_groups.inc):
// each block's levels are decoded to unsigned bytes, so eight vpdpbusd leave every lane
// holding its row's exact integer block sum, and a single multiply-add per block and
// token scales 16 rows at once (the register tiles of gemm_tiles_32.inc need three float
// operations per row, block and token instead). The decoding costs little: each group
// of 16 rows is decoded once for all tokens.
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

#include <algorithm>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/simd_common.h"

#if !defined(__AVX512VNNI__)
#error "gemm_avx512vnni.cpp needs -mavx512vnni"
#endif

namespace slm::x86::avx512vnni {
#include "kernels/x86/gemm_common.inc"
#include "kernels/x86/gemm_vnni_groups.inc"
#include "kernels/x86/activation_tables.inc"
#include "kernels/x86/min_lanes_16.inc"

namespace {

constexpr int kBlockWords = 8 * kGroupRows;  // a block's levels: 8 four-byte groups x 16 rows

// The levels as unsigned bytes and the offset they carry: value = level - offset.
template <class F>
constexpr int kUnsignedOffset = F::kSigned ? 128 : F::kOffset;

template <class F>
__m256i unsigned_levels(const uint8_t* x) {
  const __m256i q = F::levels(x);
  if constexpr (F::kSigned) return _mm256_xor_si256(q, _mm256_set1_epi8(static_cast<char>(0x80)));
  return q;
}

// One group of up to 16 rows, decoded: per block, word 16k + r holds levels 4k..4k+3 of
// row r; then the rows' scales (and mins).
template <class F>
struct DecodedRows {
  std::vector<uint32_t> levels;
  std::vector<float> d, m;
};

template <class F>
struct Kernel32 {
  using Prepared = ActivationTables<F::kMin>;
  using Decoded = DecodedRows<F>;
  static constexpr int kRows = kGroupRows;
  // Tokens whose float accumulators stay in registers: one per token, or with a min the
  // dot product's 8 lanes and the min sum (27 of 32 registers for 3 tokens; 4 measured
  // no faster).
  static constexpr int kTokens = F::kMin ? 3 : 8;

  static void prepare(Prepared& act, const GemmArgs& g) { act.fill(g, kUnsignedOffset<F>); }

  static void decode(Decoded& w, const GemmArgs& g, int64_t r0, int rows) {
    const int64_t nb = g.n / kQK;
    w.levels.assign(static_cast<size_t>(nb * kBlockWords), 0);
    w.d.assign(static_cast<size_t>(nb * kGroupRows), 0.0f);
    if (F::kMin) w.m.assign(static_cast<size_t>(nb * kGroupRows), 0.0f);
    for (int r = 0; r < rows; ++r) {
      const uint8_t* row = g.w + static_cast<size_t>(r0 + r) * g.w_stride;
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* x = row + b * F::kBytes;
        uint32_t words[8];
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(words), unsigned_levels<F>(x));
        for (int k = 0; k < 8; ++k) w.levels[static_cast<size_t>(b * kBlockWords + kGroupRows * k + r)] = words[k];
        w.d[static_cast<size_t>(b * kGroupRows + r)] = load_f16(x);
        if constexpr (F::kMin) w.m[static_cast<size_t>(b * kGroupRows + r)] = F::min(x);
      }
    }
  }

  template <int C>
  static void tile(const GemmArgs& g, const Decoded& w, const Prepared& act, int64_t r0, int rows, int64_t t0) {
    if constexpr (F::kMin) {
      tile_min<C>(g, w, act, r0, rows, t0);
      return;
    }
    const int64_t nb = g.n / kQK;
    __m512 sum[C];
    for (int c = 0; c < C; ++c) sum[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      __m512i levels[8];
      load_levels(w, b, levels);
      const __m512 dw = _mm512_loadu_ps(w.d.data() + b * kGroupRows);
      for (int c = 0; c < C; ++c) {
        const auto i = static_cast<size_t>((t0 + c) * nb + b);
        __m512i acc = _mm512_set1_epi32(act.start[i]);
        const uint8_t* q = activations(g, t0 + c, b);
        for (int k = 0; k < 8; ++k) {
          acc = _mm512_dpbusd_epi32(acc, levels[k], _mm512_set1_epi32(static_cast<int>(load_u32(q + 4 * k))));
        }
        sum[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_mul_ps(dw, _mm512_set1_ps(act.d[i])), sum[c]);
      }
    }
    for (int c = 0; c < C; ++c) store_group(g.y + (t0 + c) * g.y_stride + r0, rows, sum[c]);
  }

  // Q4_1, Q5_1: every row's dot product, bit for bit (min_lanes_16.inc).
  template <int C>
  static void tile_min(const GemmArgs& g, const Decoded& w, const Prepared& act, int64_t r0, int rows, int64_t t0) {
    const int64_t nb = g.n / kQK;
    MinLanes16<C> lanes;
    lanes.clear();
    for (int64_t b = 0; b < nb; ++b) {
      __m512i levels[8];
      load_levels(w, b, levels);
      const __m512 dw = _mm512_loadu_ps(w.d.data() + b * kGroupRows);
      const uint8_t* q[C];
      __m512 dwda[C];
      float s[C];
      for (int c = 0; c < C; ++c) {
        const auto i = static_cast<size_t>((t0 + c) * nb + b);
        q[c] = activations(g, t0 + c, b);
        dwda[c] = _mm512_mul_ps(dw, _mm512_set1_ps(act.d[i]));
        s[c] = act.s[i];
      }
      lanes.add_block(levels, q, dwda, _mm512_loadu_ps(w.m.data() + b * kGroupRows), s);
    }
    for (int c = 0; c < C; ++c) store_group(g.y + (t0 + c) * g.y_stride + r0, rows, lanes.total(c));
  }

  static void load_levels(const Decoded& w, int64_t b, __m512i levels[8]) {
    for (int k = 0; k < 8; ++k) levels[k] = _mm512_loadu_si512(w.levels.data() + b * kBlockWords + kGroupRows * k);
  }

  // Token t's activation bytes of block b.
  static const uint8_t* activations(const GemmArgs& g, int64_t t, int64_t b) {
    return g.a + static_cast<size_t>(t) * g.a_stride + b * Prepared::kBytes + Prepared::kQs;
  }
};

}  // namespace

void gemm_q4_0(const GemmArgs& g) { gemm_groups<Kernel32<Q4_0Format>>(g); }
void gemm_q4_1(const GemmArgs& g) { gemm_groups<Kernel32<Q4_1Format>>(g); }
void gemm_q5_0(const GemmArgs& g) { gemm_groups<Kernel32<Q5_0Format>>(g); }
void gemm_q8_0(const GemmArgs& g) { gemm_groups<Kernel32<Q8_0Format>>(g); }
void gemm_q5_1(const GemmArgs& g) { gemm_groups<Kernel32<Q5_1Format>>(g); }
void gemm_iq4_nl(const GemmArgs& g) { gemm_groups<Kernel32<IQ4_NLFormat>>(g); }

}  // namespace slm::x86::avx512vnni
