// gemma3: Gemma 3 text models. Embeddings scaled by sqrt(n_embd); per-head Q/K norms;
// norms after attention and after the FFN as well as before; GeGLU FFN; sliding-window
// layers with their own RoPE base (see model_config.cpp). Norm weights are stored as
// (1 + w) by the converter, so they apply as plain RMSNorm weights.
#include "engine/architecture.h"

namespace slm {

namespace {

void bind_gemma3_layer(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w) {
  arch::bind_attention(b, c, il, w);
  arch::bind_qk_norms(b, c, il, w);
  w.post_attn_norm = b.vector(TensorBinder::layer_name(il, "post_attention_norm.weight"), c.n_embd);
  arch::bind_gated_ffn(b, c, il, w);
  w.post_ffn_norm = b.vector(TensorBinder::layer_name(il, "post_ffw_norm.weight"), c.n_embd);
}

void forward_gemma3_layer(ForwardPass& pass, int il) {
  attention_block(pass, il);
  ffn_block(pass, il, GatedActivation::kGelu);
}

}  // namespace

const Architecture kGemma3Architecture{bind_gemma3_layer, forward_gemma3_layer};

}  // namespace slm
