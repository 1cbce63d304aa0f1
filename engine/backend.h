// The compute operations a transformer forward pass is built from. The CPU backend
// implements them with kernels/; a GPU backend implements the same interface.
#pragma once

#include <cstdint>
#include <span>

#include "engine/kv_cache.h"
#include "kernels/attention.h"
#include "kernels/matmul.h"
#include "kernels/rope.h"

namespace slm {

// The activation of a gated feed-forward block: act(gate) ⊙ up.
enum class GatedActivation { kSilu, kGelu };

class Backend {
 public:
  virtual ~Backend() = default;
  // y[t][r] = W[r] · x[t] for n_tokens rows of x.
  virtual void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y) = 0;
  // ys[i][t][r] = ws[i][r] · x[t]: several matrices with one input, done together.
  virtual void matmul(std::span<const MatrixView> ws, const float* x, int64_t n_tokens,
                      std::span<float* const> ys) = 0;
  // Each of n_rows rows of width n: RMSNorm times w (w may be null), in place.
  virtual void rms_norm(float* x, const float* w, int64_t n, int64_t n_rows, float eps) = 0;
  // y[i] = act(gate[i]) · up[i] for n elements; y may be gate.
  virtual void gated_activation(GatedActivation act, const float* gate, const float* up, float* y, int64_t n) = 0;
  // The f16 bits of x (n values) to y: rows of the KV cache.
  virtual void to_f16(const float* x, uint16_t* y, int64_t n) = 0;
  // RoPE on each token's n_heads heads; positions[t] is token t's position.
  virtual void rope(float* x, int64_t n_tokens, int n_heads, int head_dim, const int32_t* positions,
                    const RopeConfig& rope, const float* freq_factors) = 0;
  // For each token: softmax(Q·Kᵀ·scale + causal/window mask)·V over the cached
  // positions 0..positions[t] of layer il. q: [n_tokens][n_head][head_dim_k],
  // out: [n_tokens][n_head][head_dim_v].
  virtual void attention(const float* q, const KvCache& cache, int il, const int32_t* positions,
                         int64_t n_tokens, const AttentionShape& shape, float* out) = 0;
};

// The portable CPU backend (OpenMP threads over the kernels' dispatch).
Backend& cpu_backend();

}  // namespace slm
