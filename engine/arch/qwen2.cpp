// qwen2: Qwen2 / Qwen2.5. Llama's layer with biases on Q, K and V and NEOX RoPE.
#include "engine/architecture.h"

namespace slm {

namespace {

void bind_qwen2_layer(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w) {
  const LayerConfig& l = c.layers[il];
  arch::bind_attention(b, c, il, w);
  w.bq = b.vector(TensorBinder::layer_name(il, "attn_q.bias"), int64_t{l.n_head} * c.head_dim_k);
  w.bk = b.vector(TensorBinder::layer_name(il, "attn_k.bias"), int64_t{l.n_head_kv} * c.head_dim_k);
  w.bv = b.vector(TensorBinder::layer_name(il, "attn_v.bias"), int64_t{l.n_head_kv} * c.head_dim_v);
  arch::bind_gated_ffn(b, c, il, w);
}

}  // namespace

const Architecture kQwen2Architecture{bind_qwen2_layer, arch::forward_swiglu_layer};

}  // namespace slm
