// qwen3: Qwen3 dense models. No Q/K/V biases; per-head RMSNorm of Q and K before the
// NEOX RoPE; head_dim from attention.key_length (may differ from n_embd / n_head).
#include "engine/architecture.h"

namespace slm {

namespace {

void bind_qwen3_layer(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w) {
  arch::bind_attention(b, c, il, w);
  arch::bind_qk_norms(b, c, il, w);
  arch::bind_gated_ffn(b, c, il, w);
}

}  // namespace

const Architecture kQwen3Architecture{bind_qwen3_layer, arch::forward_swiglu_layer};

}  // namespace slm
