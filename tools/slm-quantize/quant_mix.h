// Which type each tensor gets in a quantized file: llama-quantize's rules for its file
// types (the K-quant "mixes" give attention-V and some FFN-down layers more bits, and
// the output matrix Q6_K), plus its fallbacks for rows that a 256-block type cannot split.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "slm/ggml_type.h"

namespace slm::tools {

struct FileType {
  std::string name;     // as llama-quantize spells it: "Q4_K_M"
  uint32_t ftype;       // general.file_type (llama_ftype)
  GgmlType base;        // the type most weight matrices get
};

// "Q4_K_M", also the aliases "Q4_K" (= Q4_K_M), "Q3_K", "Q5_K"; case-insensitive.
std::optional<FileType> find_file_type(std::string_view name);
std::string file_type_names();  // for messages: "Q4_0, Q4_1, ..."

struct ModelShape {
  int n_layer = 0;
  int n_gqa = 1;             // query heads per KV head
  bool tied_output = false;  // no output.weight: the token embedding is also the output matrix
  int n_attention_v = 0;     // tensors in the attention-V category (attn_v, attn_qkv)
};

// Chooses tensors' types in file order; like llama-quantize, the rules count attention-V
// and FFN-down tensors as they pass (one per layer in ordinary models).
class MixPlanner {
 public:
  MixPlanner(const FileType& type, const ModelShape& shape, bool pure) : type_(type), shape_(shape), pure_(pure) {}

  // The type for a tensor, or nullopt to copy it unchanged (norms, biases, 1-D tensors,
  // non-weight tensors). dims0 is the row length.
  std::optional<GgmlType> choose(std::string_view name, uint32_t n_dims, int64_t dims0);

 private:
  GgmlType mixed(std::string_view name, int64_t dims0);

  FileType type_;
  ModelShape shape_;
  bool pure_;
  int i_attention_v_ = 0;
  int i_ffn_down_ = 0;
};

bool is_attention_v(std::string_view name);

}  // namespace slm::tools
