// Model weights as views into the GGUF mapping (matrices) plus small f32 copies of the
// 1-D tensors (norm weights, biases) that every token reads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/model_config.h"
#include "kernels/matmul.h"
#include "slm/gguf.h"

namespace slm {

using Vector = std::vector<float>;  // a 1-D weight converted to f32 at load time

struct LayerWeights {
  Vector attn_norm;
  std::optional<MatrixView> wq, wk, wv, wqkv;  // separate Q/K/V, or fused [Q|K|V] (phi3)
  Vector bq, bk, bv;                            // empty when the model has no biases
  MatrixView wo{};
  Vector q_norm, k_norm;                        // per-head RMSNorm weights (qwen3, gemma3)
  Vector post_attn_norm;                        // gemma3
  Vector ffn_norm;
  std::optional<MatrixView> ffn_gate;           // absent when ffn_up is fused [gate|up]
  MatrixView ffn_up{};
  MatrixView ffn_down{};
  Vector post_ffn_norm;                         // gemma3
};

struct ModelWeights {
  MatrixView token_embd{};
  Vector output_norm;
  MatrixView output{};  // token_embd itself when the output projection is tied
  Vector rope_freqs;    // optional per-pair frequency divisors (Llama 3.1 rope scaling)
  std::vector<LayerWeights> layers;
};

// Looks tensors up by name and checks their shapes against the configuration, so a
// missing or misshapen tensor is a clear error at load time.
class TensorBinder {
 public:
  explicit TensorBinder(const GgufFile& file) : file_(file) {}

  // A 2-D weight with n_cols inputs and n_rows outputs (GGUF dims {n_cols, n_rows}).
  MatrixView matrix(const std::string& name, int64_t n_cols, int64_t n_rows) const;
  std::optional<MatrixView> optional_matrix(const std::string& name, int64_t n_cols, int64_t n_rows) const;
  // A 1-D weight of n elements, converted to f32.
  Vector vector(const std::string& name, int64_t n) const;
  Vector optional_vector(const std::string& name, int64_t n) const;  // empty when absent
  bool has(const std::string& name) const { return file_.find_tensor(name) != nullptr; }

  static std::string layer_name(int il, const char* name) { return "blk." + std::to_string(il) + "." + name; }

 private:
  const GgufTensor& lookup(const std::string& name) const;
  const GgufFile& file_;
};

}  // namespace slm
