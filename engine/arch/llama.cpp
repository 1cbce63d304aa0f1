// llama: Llama 2/3, SmolLM2 and their fine-tunes. Pre-norm attention (NORM-ordered
// RoPE, no biases) and a SwiGLU FFN.
#include "engine/architecture.h"

namespace slm {

namespace {

void bind_llama_layer(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w) {
  arch::bind_attention(b, c, il, w);
  arch::bind_gated_ffn(b, c, il, w);
}

}  // namespace

const Architecture kLlamaArchitecture{bind_llama_layer, arch::forward_swiglu_layer};

}  // namespace slm
