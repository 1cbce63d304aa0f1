// One forward pass over a batch of tokens: the residual stream, scratch space, and the
// building blocks (attention, gated FFN) that the architecture files compose.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/backend.h"
#include "engine/kv_cache.h"
#include "engine/model_config.h"
#include "engine/weights.h"

namespace slm {

// Work buffers of forward passes. A session keeps one, so that once they have grown to
// a batch's size, decoding allocates nothing.
struct ForwardScratch {
  std::vector<float> x, normed;                  // residual stream and its normed copy
  std::vector<float> qkv, q, k, v, attn;         // attention block
  std::vector<float> both, gate, up, out;        // FFN block (and both blocks' output)
};

struct ForwardPass {
  ForwardPass(const ModelConfig& config, const ModelWeights& weights, Backend& backend, KvCache& cache,
              ForwardScratch& scratch, const int32_t* positions, int64_t n_tokens);

  const ModelConfig& config;
  const ModelWeights& weights;
  Backend& backend;
  KvCache& cache;
  const int32_t* positions;  // [n_tokens]
  int64_t n_tokens;
  ForwardScratch& scratch;
  std::vector<float>& x;       // residual stream [n_tokens][n_embd]
  std::vector<float>& normed;  // [n_tokens][n_embd]
};

// x += post_norm(Wo · attention(rope(norm(q)), rope(norm(k)), v)) with the layer's
// optional pieces: fused QKV, biases, per-head q/k norms, post-attention norm.
void attention_block(ForwardPass& f, int il);
// Tokens per slice of a prompt's FFN (see ffn_block).
constexpr int64_t kFfnSliceTokens = 128;

// x += post_norm(down(act(gate · h) ⊙ (up · h))), h = norm(x); gate and up may be fused.
void ffn_block(ForwardPass& f, int il, GatedActivation activation);

}  // namespace slm
