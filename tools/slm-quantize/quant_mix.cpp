#include "quant_mix.h"

#include <algorithm>
#include <cctype>

namespace slm::tools {

namespace {

const FileType kFileTypes[] = {
    {"F16", 1, GgmlType::F16},       {"BF16", 32, GgmlType::BF16},    {"Q4_0", 2, GgmlType::Q4_0},
    {"Q4_1", 3, GgmlType::Q4_1},     {"Q5_0", 8, GgmlType::Q5_0},     {"Q5_1", 9, GgmlType::Q5_1},
    {"Q8_0", 7, GgmlType::Q8_0},     {"Q2_K", 10, GgmlType::Q2_K},    {"Q3_K_S", 11, GgmlType::Q3_K},
    {"Q3_K_M", 12, GgmlType::Q3_K},  {"Q3_K_L", 13, GgmlType::Q3_K},  {"Q4_K_S", 14, GgmlType::Q4_K},
    {"Q4_K_M", 15, GgmlType::Q4_K},  {"Q5_K_S", 16, GgmlType::Q5_K},  {"Q5_K_M", 17, GgmlType::Q5_K},
    {"Q6_K", 18, GgmlType::Q6_K},    {"IQ4_NL", 25, GgmlType::IQ4_NL}, {"IQ4_XS", 30, GgmlType::IQ4_XS},
};

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }
bool ends_with(std::string_view s, std::string_view end) {
  return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
}

// More bits for the first and last eighth of the layers and every third one between.
bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// A 256-block type cannot split rows whose length is not a multiple of 256: llama-quantize
// then uses a 32-block type, and F16 when even that does not divide the row.
GgmlType fallback(GgmlType t, int64_t dims0) {
  if (dims0 % ggml_type_info(t).block_elems == 0) return t;
  GgmlType f = t;
  switch (t) {
    case GgmlType::IQ4_XS: f = GgmlType::IQ4_NL; break;
    case GgmlType::Q2_K:
    case GgmlType::Q3_K: f = GgmlType::Q4_0; break;
    case GgmlType::Q4_K: f = GgmlType::Q5_0; break;
    case GgmlType::Q5_K: f = GgmlType::Q5_1; break;
    case GgmlType::Q6_K: f = GgmlType::Q8_0; break;
    default: break;
  }
  return dims0 % ggml_type_info(f).block_elems == 0 ? f : GgmlType::F16;
}

}  // namespace

std::optional<FileType> find_file_type(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (upper == "Q3_K" || upper == "Q4_K" || upper == "Q5_K") upper += "_M";
  for (const FileType& t : kFileTypes) {
    if (t.name == upper) return t;
  }
  return std::nullopt;
}

std::string file_type_names() {
  std::string s;
  for (const FileType& t : kFileTypes) s += (s.empty() ? "" : ", ") + t.name;
  return s + " (Q3_K, Q4_K, Q5_K mean the _M mixes)";
}

bool is_attention_v(std::string_view name) {
  return contains(name, "attn_v.weight") || contains(name, "attn_qkv.weight") || contains(name, "attn_kv_b.weight");
}

std::optional<GgmlType> MixPlanner::choose(std::string_view name, uint32_t n_dims, int64_t dims0) {
  const bool quantizable = n_dims >= 2 && ends_with(name, "weight") && !contains(name, "_norm.weight") &&
                           !contains(name, "ffn_gate_inp.weight") && !contains(name, "ssm_conv1d") &&
                           name != "position_embd.weight" && name != "token_types.weight";
  if (!quantizable) return std::nullopt;
  const GgmlType base = type_.base;
  if (base == GgmlType::F16 || base == GgmlType::BF16) return base;
  return fallback(pure_ ? base : mixed(name, dims0), dims0);
}

GgmlType MixPlanner::mixed(std::string_view name, int64_t dims0) {
  const std::string& f = type_.name;
  const int n_layer = shape_.n_layer;
  const bool output = name == "output.weight" || (shape_.tied_output && name == "token_embd.weight");
  if (output) {
    if (dims0 % ggml_type_info(type_.base).block_elems != 0) return GgmlType::Q8_0;
    return type_.base == GgmlType::Q8_0 ? GgmlType::Q8_0 : GgmlType::Q6_K;
  }
  if (name == "token_embd.weight") return type_.base;
  if (is_attention_v(name)) {
    const int i = i_attention_v_++;
    if (f == "Q2_K") return shape_.n_gqa >= 4 ? GgmlType::Q4_K : GgmlType::Q3_K;
    if (f == "Q3_K_M") return i < 2 ? GgmlType::Q5_K : GgmlType::Q4_K;
    if (f == "Q3_K_L") return GgmlType::Q5_K;
    if ((f == "IQ4_NL" || f == "IQ4_XS") && shape_.n_gqa >= 4) return GgmlType::Q5_K;
    if ((f == "Q4_K_M" || f == "Q5_K_M") && use_more_bits(i, shape_.n_attention_v)) return GgmlType::Q6_K;
    if (f == "Q4_K_S" && i < 4) return GgmlType::Q5_K;
    return type_.base;
  }
  if (contains(name, "ffn_down")) {
    const int i = i_ffn_down_++;
    if (f == "Q2_K") return GgmlType::Q3_K;
    if (f == "Q3_K_M") return i < n_layer / 16 ? GgmlType::Q5_K : GgmlType::Q4_K;
    if (f == "Q3_K_L") return GgmlType::Q5_K;
    if (f == "Q4_K_M" || f == "Q5_K_M") return use_more_bits(i, n_layer) ? GgmlType::Q6_K : type_.base;
    if ((f == "IQ4_NL" || f == "IQ4_XS" || f == "Q4_K_S") && i < n_layer / 8) return GgmlType::Q5_K;
    return type_.base;
  }
  if (contains(name, "attn_output.weight")) {
    if (f == "Q2_K") return GgmlType::Q3_K;
    if (f == "Q3_K_M") return GgmlType::Q4_K;
    if (f == "Q3_K_L") return GgmlType::Q5_K;
  }
  return type_.base;
}

}  // namespace slm::tools
