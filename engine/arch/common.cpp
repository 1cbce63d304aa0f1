#include "engine/architecture.h"

namespace slm {

namespace arch {

void bind_attention(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w) {
  const LayerConfig& l = c.layers[il];
  w.attn_norm = b.vector(TensorBinder::layer_name(il, "attn_norm.weight"), c.n_embd);
  w.wq = b.matrix(TensorBinder::layer_name(il, "attn_q.weight"), c.n_embd, int64_t{l.n_head} * c.head_dim_k);
  w.wk = b.matrix(TensorBinder::layer_name(il, "attn_k.weight"), c.n_embd, int64_t{l.n_head_kv} * c.head_dim_k);
  w.wv = b.matrix(TensorBinder::layer_name(il, "attn_v.weight"), c.n_embd, int64_t{l.n_head_kv} * c.head_dim_v);
  w.wo = b.matrix(TensorBinder::layer_name(il, "attn_output.weight"), int64_t{l.n_head} * c.head_dim_v, c.n_embd);
}

void bind_gated_ffn(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w) {
  const int n_ff = c.layers[il].n_ff;
  w.ffn_norm = b.vector(TensorBinder::layer_name(il, "ffn_norm.weight"), c.n_embd);
  w.ffn_gate = b.matrix(TensorBinder::layer_name(il, "ffn_gate.weight"), c.n_embd, n_ff);
  w.ffn_up = b.matrix(TensorBinder::layer_name(il, "ffn_up.weight"), c.n_embd, n_ff);
  w.ffn_down = b.matrix(TensorBinder::layer_name(il, "ffn_down.weight"), n_ff, c.n_embd);
}

void bind_qk_norms(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w) {
  w.q_norm = b.vector(TensorBinder::layer_name(il, "attn_q_norm.weight"), c.head_dim_k);
  w.k_norm = b.vector(TensorBinder::layer_name(il, "attn_k_norm.weight"), c.head_dim_k);
}

void forward_swiglu_layer(ForwardPass& pass, int il) {
  attention_block(pass, il);
  ffn_block(pass, il, GatedActivation::kSilu);
}

}  // namespace arch

const Architecture& architecture(Arch a) {
  switch (a) {
    case Arch::kLlama: return kLlamaArchitecture;
    case Arch::kQwen2: return kQwen2Architecture;
    case Arch::kQwen3: return kQwen3Architecture;
    case Arch::kGemma3: return kGemma3Architecture;
    case Arch::kPhi3: return kPhi3Architecture;
  }
  return kLlamaArchitecture;
}

}  // namespace slm
