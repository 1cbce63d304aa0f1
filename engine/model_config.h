// Hyper-parameters of a transformer model, read from GGUF metadata and checked for
// sanity (a file with absurd numbers is refused here, before any allocation).
#pragma once

#include <string>
#include <vector>

#include "kernels/rope.h"
#include "slm/gguf.h"

namespace slm {

enum class Arch { kLlama, kQwen2, kQwen3, kGemma3, kPhi3 };

struct LayerConfig {
  int n_head = 0;
  int n_head_kv = 0;
  int n_ff = 0;
  bool sliding = false;  // attends only to the last `sliding_window` positions
  RopeConfig rope;
};

struct ModelConfig {
  Arch arch = Arch::kLlama;
  std::string arch_name;       // general.architecture
  int n_vocab = 0;
  int n_embd = 0;
  int n_layer = 0;
  int n_ctx_train = 0;
  int head_dim_k = 0;
  int head_dim_v = 0;
  float rms_eps = 1e-5f;
  int sliding_window = 0;      // 0: every layer is global
  float embed_scale = 1.0f;    // multiplies token embeddings (Gemma: sqrt(n_embd))
  float q_scale = 1.0f;        // multiplies Q after RoPE (Gemma's query_pre_attn_scalar)
  float kq_scale = 1.0f;       // multiplies Q·K before the softmax
  float final_logit_softcap = 0.0f;  // logits = c·tanh(logits/c) when > 0
  std::vector<LayerConfig> layers;
};

const char* arch_name(Arch arch);

// Reads and validates the configuration; n_vocab comes from the vocabulary when the
// file has no {arch}.vocab_size. Throws slm::Error naming the key on any problem.
ModelConfig read_model_config(const GgufFile& file);

}  // namespace slm
