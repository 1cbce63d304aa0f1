// phi3: Phi-3 / Phi-3.5 / Phi-4-mini. Fused attn_qkv = [Q | K | V] and fused
// ffn_up = [gate | up] (SwiGLU); NEOX RoPE.
#include "engine/architecture.h"

namespace slm {

namespace {

void bind_phi3_layer(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w) {
  const LayerConfig& l = c.layers[il];
  const int64_t qkv_rows = int64_t{l.n_head} * c.head_dim_k + int64_t{l.n_head_kv} * (c.head_dim_k + c.head_dim_v);
  w.attn_norm = b.vector(TensorBinder::layer_name(il, "attn_norm.weight"), c.n_embd);
  w.wqkv = b.matrix(TensorBinder::layer_name(il, "attn_qkv.weight"), c.n_embd, qkv_rows);
  w.wo = b.matrix(TensorBinder::layer_name(il, "attn_output.weight"), int64_t{l.n_head} * c.head_dim_v, c.n_embd);
  w.ffn_norm = b.vector(TensorBinder::layer_name(il, "ffn_norm.weight"), c.n_embd);
  w.ffn_up = b.matrix(TensorBinder::layer_name(il, "ffn_up.weight"), c.n_embd, 2 * int64_t{l.n_ff});
  w.ffn_down = b.matrix(TensorBinder::layer_name(il, "ffn_down.weight"), l.n_ff, c.n_embd);
}

}  // namespace

const Architecture kPhi3Architecture{bind_phi3_layer, arch::forward_swiglu_layer};

}  // namespace slm
