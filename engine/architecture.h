// What distinguishes one transformer family from another: which tensors a layer has
// (with their shapes) and how the layer composes the shared blocks. One file per
// family in engine/arch/.
#pragma once

#include "engine/forward.h"
#include "engine/model_config.h"
#include "engine/weights.h"

namespace slm {

struct Architecture {
  // Binds and shape-checks the tensors of layer il.
  void (*bind_layer)(const TensorBinder& binder, const ModelConfig& config, int il, LayerWeights& w);
  // Runs layer il on the residual stream of the pass.
  void (*forward_layer)(ForwardPass& pass, int il);
};

const Architecture& architecture(Arch arch);

// Pieces several families share (engine/arch/common.cpp).
namespace arch {
// attn_norm, separate attn_q/k/v and attn_output.
void bind_attention(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w);
// ffn_norm and SwiGLU/GeGLU ffn_gate, ffn_up, ffn_down.
void bind_gated_ffn(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w);
// Per-head attn_q_norm and attn_k_norm.
void bind_qk_norms(const TensorBinder& b, const ModelConfig& c, int il, LayerWeights& w);
// Pre-norm attention then a SwiGLU FFN, each added to the residual.
void forward_swiglu_layer(ForwardPass& pass, int il);
}  // namespace arch

extern const Architecture kLlamaArchitecture;
extern const Architecture kQwen2Architecture;
extern const Architecture kQwen3Architecture;
extern const Architecture kGemma3Architecture;
extern const Architecture kPhi3Architecture;

}  // namespace slm
