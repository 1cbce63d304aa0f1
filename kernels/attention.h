// Attention over an f16 KV cache: scores Q·Kᵀ, softmax, then the probability-weighted
// sum of V rows, computed as llama.cpp's CPU backend does without flash attention.
//
// Rounding points follow ggml: Q is rounded to f16 before the dot products with the f16
// keys, scores and softmax stay in f32, and the probabilities are rounded to f16 before
// they meet the f16 values. The two f16 dot products also keep ggml's accumulation order
// on an AVX-512 machine (where the reference outputs were made), on every ISA path here,
// so the scalar, AVX2 and AVX-512 kernels give bit-identical results.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/cpu_features.h"

namespace slm {

// How an f16 dot product adds up its products. In both orders each partial sum is a chain
// of fused multiply-adds, and the partial sums of one lane group are added in the fixed
// tree of an AVX-512 horizontal sum: halves, then quarters, then (0+2) + (1+3).
enum class F16DotOrder : uint8_t {
  // llamafile's tinyBLAS, which ggml uses for a batch of two or more queries: element e
  // goes to lane e % 16. Needs a length that is a multiple of 16.
  kTiled,
  // ggml_vec_dot_f16, used for a single query: element e goes to lane e % 64 (four
  // accumulators of 16 lanes, folded as (a0 + a2) + (a1 + a3) before the tree); elements
  // past the last multiple of 64 are added afterwards in double.
  kVector,
};

inline constexpr int kTiledLanes = 16;
inline constexpr int kVectorLanes = 64;

// The keys (or values) of one KV head: position j's row starts at data + j * stride.
struct F16Rows {
  const uint16_t* data;
  size_t stride;
};

struct AttentionKernels {
  Isa isa = Isa::kScalar;
  // Scores of n_q query rows against the keys at positions first <= j < last:
  // out[h * out_stride + (j - first)] = q[h * head_dim ..] · k_j. q holds floats that are
  // already f16 values.
  void (*scores)(const float* q, int n_q, int head_dim, F16Rows k, int first, int last, F16DotOrder order,
                 float* out, size_t out_stride) = nullptr;
  // Columns col..col+width of the weighted value sums of n_q rows of probabilities:
  // out[h * out_stride + d] = Σ_j p[h * p_stride + (j - first)] · v_j[d] over first <= j < last,
  // in `order` with position j as element j (positions outside [first, last) count as zero
  // probabilities, so there is no double tail). p holds floats that are already f16 values.
  void (*mix)(const float* p, int n_q, size_t p_stride, F16Rows v, int first, int last, int col, int width,
              F16DotOrder order, float* out, size_t out_stride) = nullptr;
  // out[i] = x[i] rounded to the nearest f16 value (ties to even), n values; may alias.
  void (*round_to_f16)(const float* x, float* out, int64_t n) = nullptr;
};

// The table of one ISA family (avxvnni uses the avx2 kernels, avx512vnni the avx512
// ones: there are no integer products here); may be inspected for any family, called
// only when cpu_supports() says so.
const AttentionKernels& attention_kernels(Isa isa);
// The table of selected_isa().
const AttentionKernels& active_attention_kernels();

struct AttentionShape {
  int n_head;
  int n_head_kv;
  int head_dim_k;
  int head_dim_v;
  float kq_scale;  // multiplies Q·K before the softmax
  int window;      // > 0: a query at p sees keys at p - window < j <= p only
};

// For each token t: softmax(Q·Kᵀ·kq_scale + causal/window mask)·V over the cached
// positions up to positions[t]. q: [n_tokens][n_head][head_dim_k], out:
// [n_tokens][n_head][head_dim_v]; k and v: the cache rows of all KV heads of one layer
// (KV head h at offset h * head_dim). One token uses ggml's single-query order, a batch the
// tiled one. Multithreaded with OpenMP; the result does not depend on the thread count.
void attention_f16(const float* q, int64_t n_tokens, const int32_t* positions, F16Rows k, F16Rows v,
                   const AttentionShape& shape, float* out);

}  // namespace slm
