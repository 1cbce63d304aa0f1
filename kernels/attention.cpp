// The attention kernel tables (this file is built without ISA flags: it only stores the
// SIMD functions) and the multithreaded attention over the f16 cache built on them.
#include "kernels/attention.h"

#include <algorithm>
#include <vector>

#include "kernels/attention_ref.h"
#include "kernels/ops.h"
#include "slm/error.h"

#if defined(SLM_X86_KERNELS)
#include "kernels/x86/attention_x86.h"
#endif

namespace slm {

namespace {

AttentionKernels scalar_kernels() {
  AttentionKernels t;
  t.isa = Isa::kScalar;
  t.scores = attention_ref::scores;
  t.mix = attention_ref::mix;
  t.round_to_f16 = attention_ref::round_to_f16;
  return t;
}

AttentionKernels avx2_kernels(Isa isa) {
  AttentionKernels t = scalar_kernels();
  t.isa = isa;
#if defined(SLM_X86_KERNELS)
  t.scores = x86::avx2::attention_scores;
  t.mix = x86::avx2::attention_mix;
  t.round_to_f16 = x86::avx2::attention_round_to_f16;
#endif
  return t;
}

AttentionKernels avx512_kernels(Isa isa) {
  AttentionKernels t = scalar_kernels();
  t.isa = isa;
#if defined(SLM_X86_KERNELS)
  t.scores = x86::avx512::attention_scores;
  t.mix = x86::avx512::attention_mix;
  t.round_to_f16 = x86::avx512::attention_round_to_f16;
#endif
  return t;
}

// Positions a query at `pos` sees: [first, pos].
int first_visible(int pos, int window) { return window > 0 ? std::max(0, pos - window + 1) : 0; }

// Scores of positions first.. to probabilities: scale, softmax in f32 over the row as
// ggml sees it (cache cells from 0, the invisible ones masked), then rounded to f16 as ggml
// does when they meet the f16 values.
void scores_to_probabilities(const AttentionKernels& kern, float* row, int n, int first, float scale) {
  for (int i = 0; i < n; ++i) row[i] *= scale;
  softmax(row, n, first % 16);
  kern.round_to_f16(row, row, n);
}

// Q rows of one token's KV group, rounded to f16 (ggml converts Q for the f16 keys).
void round_queries(const AttentionKernels& kern, const float* q, int64_t count, std::vector<float>& out) {
  out.resize(static_cast<size_t>(count));
  kern.round_to_f16(q, out.data(), count);
}

// Grows a per-thread buffer once; later calls of the same size reuse it.
float* scratch(std::vector<float>& buffer, size_t n) {
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

// Columns of V handled by one task of the single-query path (one AVX-512 register).
constexpr int kMixColumns = 16;
// Positions per score task of the single-query path.
constexpr int kScoreChunk = 64;

// One query: every thread scores a chunk of positions of one KV head for the whole group,
// then the softmax rows, then columns of the weighted sums (no partial results to merge,
// so the arithmetic is the same for any number of threads).
void attend_one(const AttentionKernels& kern, const float* q, int pos, F16Rows k, F16Rows v, const AttentionShape& s,
                float* out) {
  const int group = s.n_head / s.n_head_kv;
  const int first = first_visible(pos, s.window);
  const int n = pos - first + 1;
  thread_local std::vector<float> queries, probabilities;
  round_queries(kern, q, int64_t{s.n_head} * s.head_dim_k, queries);
  float* p = scratch(probabilities, static_cast<size_t>(s.n_head) * n);
  const int n_chunks = (n + kScoreChunk - 1) / kScoreChunk;
  const int n_col_blocks = (s.head_dim_v + kMixColumns - 1) / kMixColumns;
  const float* qf = queries.data();
#pragma omp parallel
  {
#pragma omp for collapse(2) schedule(static)
    for (int kv = 0; kv < s.n_head_kv; ++kv) {
      for (int c = 0; c < n_chunks; ++c) {
        const int begin = first + c * kScoreChunk;
        const int end = std::min(pos + 1, begin + kScoreChunk);
        const F16Rows keys{k.data + static_cast<size_t>(kv) * s.head_dim_k, k.stride};
        kern.scores(qf + static_cast<size_t>(kv) * group * s.head_dim_k, group, s.head_dim_k, keys, begin, end,
                    F16DotOrder::kVector, p + static_cast<size_t>(kv) * group * n + (begin - first), n);
      }
    }
#pragma omp for schedule(static)
    for (int h = 0; h < s.n_head; ++h) scores_to_probabilities(kern, p + static_cast<size_t>(h) * n, n, first, s.kq_scale);
#pragma omp for collapse(2) schedule(static)
    for (int kv = 0; kv < s.n_head_kv; ++kv) {
      for (int b = 0; b < n_col_blocks; ++b) {
        const int col = b * kMixColumns;
        const F16Rows values{v.data + static_cast<size_t>(kv) * s.head_dim_v, v.stride};
        kern.mix(p + static_cast<size_t>(kv) * group * n, group, n, values, first, pos + 1, col,
                 std::min(kMixColumns, s.head_dim_v - col), F16DotOrder::kVector,
                 out + static_cast<size_t>(kv) * group * s.head_dim_v, s.head_dim_v);
      }
    }
  }
}

// A batch: one task per (token, KV head) does the whole group's scores, softmax and sums.
void attend_batch(const AttentionKernels& kern, const float* q, int64_t n_tokens, const int32_t* positions, F16Rows k,
                  F16Rows v, const AttentionShape& s, float* out) {
  const int group = s.n_head / s.n_head_kv;
  // tinyBLAS needs a multiple of 16 elements; ggml falls back to its vector dot otherwise.
  const F16DotOrder qk_order = s.head_dim_k % kTiledLanes == 0 ? F16DotOrder::kTiled : F16DotOrder::kVector;
#pragma omp parallel
  {
    thread_local std::vector<float> queries, probabilities;
#pragma omp for collapse(2) schedule(dynamic, 1)
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int kv = 0; kv < s.n_head_kv; ++kv) {
        const int pos = positions[t];
        const int first = first_visible(pos, s.window);
        const int n = pos - first + 1;
        const size_t head0 = static_cast<size_t>(t) * s.n_head + static_cast<size_t>(kv) * group;
        round_queries(kern, q + head0 * s.head_dim_k, int64_t{group} * s.head_dim_k, queries);
        float* p = scratch(probabilities, static_cast<size_t>(group) * n);
        const F16Rows keys{k.data + static_cast<size_t>(kv) * s.head_dim_k, k.stride};
        kern.scores(queries.data(), group, s.head_dim_k, keys, first, pos + 1, qk_order, p, n);
        for (int h = 0; h < group; ++h) scores_to_probabilities(kern, p + static_cast<size_t>(h) * n, n, first, s.kq_scale);
        const F16Rows values{v.data + static_cast<size_t>(kv) * s.head_dim_v, v.stride};
        kern.mix(p, group, n, values, first, pos + 1, 0, s.head_dim_v, F16DotOrder::kTiled,
                 out + head0 * s.head_dim_v, s.head_dim_v);
      }
    }
  }
}

}  // namespace

const AttentionKernels& attention_kernels(Isa isa) {
  return isa_table(isa, [](Isa family) {
    switch (family) {
      case Isa::kScalar: return scalar_kernels();
      case Isa::kAvx2:
      case Isa::kAvxVnni: return avx2_kernels(family);
      case Isa::kAvx512:
      case Isa::kAvx512Vnni: return avx512_kernels(family);
    }
    throw Error("unknown ISA family");
  });
}

const AttentionKernels& active_attention_kernels() {
  static const AttentionKernels& table = attention_kernels(selected_isa());
  return table;
}

void attention_f16(const float* q, int64_t n_tokens, const int32_t* positions, F16Rows k, F16Rows v,
                   const AttentionShape& shape, float* out) {
  const AttentionKernels& kern = active_attention_kernels();
  if (n_tokens == 1) {
    attend_one(kern, q, positions[0], k, v, shape, out);
  } else {
    attend_batch(kern, q, n_tokens, positions, k, v, shape, out);
  }
}

}  // namespace slm
