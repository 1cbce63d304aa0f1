#include "engine/forward.h"

#include <algorithm>

namespace slm {

namespace {

// out[t][0..width) = in[t][offset..offset+width) for rows of in_width.
void take_columns(const std::vector<float>& in, int64_t in_width, int64_t offset, int64_t width,
                  int64_t n_tokens, std::vector<float>& out) {
  out.resize(static_cast<size_t>(n_tokens * width));
  for (int64_t t = 0; t < n_tokens; ++t) {
    std::copy_n(in.begin() + t * in_width + offset, width, out.begin() + t * width);
  }
}

void add_bias(std::vector<float>& y, const Vector& bias, int64_t n_tokens) {
  if (bias.empty()) return;
  const auto width = static_cast<int64_t>(bias.size());
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t i = 0; i < width; ++i) y[t * width + i] += bias[i];
  }
}

// x[i] += y[i] for every element of y (x may be a slice of the residual stream).
void add_into(float* x, const std::vector<float>& y) {
  for (size_t i = 0; i < y.size(); ++i) x[i] += y[i];
}

// The normed residual of every token.
void norm_residual(ForwardPass& f, const Vector& weight) {
  f.normed = f.x;
  f.backend.rms_norm(f.normed.data(), weight.data(), f.config.n_embd, f.n_tokens, f.config.rms_eps);
}

}  // namespace

ForwardPass::ForwardPass(const ModelConfig& config_, const ModelWeights& weights_, Backend& backend_,
                         KvCache& cache_, ForwardScratch& scratch_, const int32_t* positions_, int64_t n_tokens_)
    : config(config_), weights(weights_), backend(backend_), cache(cache_), positions(positions_),
      n_tokens(n_tokens_), scratch(scratch_), x(scratch_.x), normed(scratch_.normed) {
  x.resize(static_cast<size_t>(n_tokens_ * config_.n_embd));
}

void attention_block(ForwardPass& f, int il) {
  const ModelConfig& c = f.config;
  const LayerConfig& l = c.layers[il];
  const LayerWeights& w = f.weights.layers[il];
  const int64_t n = f.n_tokens;
  const int64_t q_width = static_cast<int64_t>(l.n_head) * c.head_dim_k;
  const int64_t k_width = static_cast<int64_t>(l.n_head_kv) * c.head_dim_k;
  const int64_t v_width = static_cast<int64_t>(l.n_head_kv) * c.head_dim_v;

  norm_residual(f, w.attn_norm);
  ForwardScratch& s = f.scratch;
  std::vector<float>& q = s.q;
  std::vector<float>& k = s.k;
  std::vector<float>& v = s.v;
  if (w.wqkv) {
    std::vector<float>& qkv = s.qkv;
    qkv.resize(static_cast<size_t>(n * (q_width + k_width + v_width)));
    f.backend.matmul(*w.wqkv, f.normed.data(), n, qkv.data());
    const int64_t width = q_width + k_width + v_width;
    take_columns(qkv, width, 0, q_width, n, q);
    take_columns(qkv, width, q_width, k_width, n, k);
    take_columns(qkv, width, q_width + k_width, v_width, n, v);
  } else {
    q.resize(static_cast<size_t>(n * q_width));
    k.resize(static_cast<size_t>(n * k_width));
    v.resize(static_cast<size_t>(n * v_width));
    const MatrixView ws[] = {*w.wq, *w.wk, *w.wv};
    float* const ys[] = {q.data(), k.data(), v.data()};
    f.backend.matmul(ws, f.normed.data(), n, ys);
  }
  add_bias(q, w.bq, n);
  add_bias(k, w.bk, n);
  add_bias(v, w.bv, n);
  if (!w.q_norm.empty()) f.backend.rms_norm(q.data(), w.q_norm.data(), c.head_dim_k, n * l.n_head, c.rms_eps);
  if (!w.k_norm.empty()) f.backend.rms_norm(k.data(), w.k_norm.data(), c.head_dim_k, n * l.n_head_kv, c.rms_eps);
  const float* freq_factors = f.weights.rope_freqs.empty() ? nullptr : f.weights.rope_freqs.data();
  f.backend.rope(q.data(), n, l.n_head, c.head_dim_k, f.positions, l.rope, freq_factors);
  f.backend.rope(k.data(), n, l.n_head_kv, c.head_dim_k, f.positions, l.rope, freq_factors);
  if (c.q_scale != 1.0f) {
    for (float& value : q) value *= c.q_scale;
  }

  for (int64_t t = 0; t < n; ++t) {  // the cache stores f16, like llama.cpp's default
    f.backend.to_f16(k.data() + t * k_width, f.cache.k(il, f.positions[t]), k_width);
    f.backend.to_f16(v.data() + t * v_width, f.cache.v(il, f.positions[t]), v_width);
  }
  const AttentionShape shape{l.n_head, l.n_head_kv, c.head_dim_k, c.head_dim_v, c.kq_scale,
                             l.sliding ? c.sliding_window : 0};
  std::vector<float>& attn = s.attn;
  attn.resize(static_cast<size_t>(n * l.n_head * c.head_dim_v));
  f.backend.attention(q.data(), f.cache, il, f.positions, n, shape, attn.data());

  std::vector<float>& out = s.out;
  out.resize(static_cast<size_t>(n * c.n_embd));
  f.backend.matmul(w.wo, attn.data(), n, out.data());
  if (!w.post_attn_norm.empty()) f.backend.rms_norm(out.data(), w.post_attn_norm.data(), c.n_embd, n, c.rms_eps);
  add_into(f.x.data(), out);
}

void ffn_block(ForwardPass& f, int il, GatedActivation activation) {
  const ModelConfig& c = f.config;
  const LayerWeights& w = f.weights.layers[il];
  const int64_t n_ff = c.layers[il].n_ff;

  norm_residual(f, w.ffn_norm);
  ForwardScratch& s = f.scratch;
  std::vector<float>& gate = s.gate;
  std::vector<float>& up = s.up;
  std::vector<float>& out = s.out;
  // Prompts go through in slices of about kFfnSliceTokens tokens (as even as possible, so
  // no slice is too short for the GEMM kernels): gate and up, n_ff floats per token each,
  // then take a few MiB instead of growing with the prompt (a 1B model's 512-token prompt:
  // 32 MiB -> 8 MiB). Each slice reads the weights again, which costs little next to its
  // arithmetic: a 16-row weight group is reused by all the slice's tokens from the cache.
  const int64_t n_slices = (f.n_tokens + kFfnSliceTokens - 1) / kFfnSliceTokens;
  const int64_t slice = (f.n_tokens + n_slices - 1) / n_slices;
  for (int64_t first = 0; first < f.n_tokens; first += slice) {
    const int64_t n = std::min(slice, f.n_tokens - first);
    const float* h = f.normed.data() + first * c.n_embd;
    if (w.ffn_gate) {
      gate.resize(static_cast<size_t>(n * n_ff));
      up.resize(static_cast<size_t>(n * n_ff));
      const MatrixView ws[] = {*w.ffn_gate, w.ffn_up};
      float* const ys[] = {gate.data(), up.data()};
      f.backend.matmul(ws, h, n, ys);
    } else {  // fused [gate | up] rows
      std::vector<float>& both = s.both;
      both.resize(static_cast<size_t>(n * 2 * n_ff));
      f.backend.matmul(w.ffn_up, h, n, both.data());
      take_columns(both, 2 * n_ff, 0, n_ff, n, gate);
      take_columns(both, 2 * n_ff, n_ff, n_ff, n, up);
    }
    // The activation overwrites gate (each element reads only its own inputs).
    f.backend.gated_activation(activation, gate.data(), up.data(), gate.data(), n * n_ff);
    out.resize(static_cast<size_t>(n * c.n_embd));
    f.backend.matmul(w.ffn_down, gate.data(), n, out.data());
    if (!w.post_ffn_norm.empty()) f.backend.rms_norm(out.data(), w.post_ffn_norm.data(), c.n_embd, n, c.rms_eps);
    add_into(f.x.data() + first * c.n_embd, out);
  }
}

}  // namespace slm
