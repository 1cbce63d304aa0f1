#include "engine/model_config.h"

#include <cmath>
#include <optional>
#include <string_view>

#include "slm/error.h"

namespace slm {

namespace {

// Upper bounds far above any real small model; they keep buffer sizes computed from
// the file sane (a crafted file cannot ask for terabytes).
constexpr int64_t kMaxEmbd = 1 << 16;
constexpr int64_t kMaxLayers = 512;
constexpr int64_t kMaxHeads = 1024;
constexpr int64_t kMaxHeadDim = 1024;
constexpr int64_t kMaxFf = 1 << 18;
constexpr int64_t kMaxVocab = 1 << 22;
constexpr int64_t kMaxContext = 1 << 24;

class ConfigReader {
 public:
  ConfigReader(const GgufFile& f, std::string arch) : f_(f), prefix_(std::move(arch) + ".") {}

  std::string key(std::string_view name) const { return prefix_ + std::string(name); }

  [[noreturn]] void fail(std::string_view name, const std::string& problem) const {
    throw Error(f_.path() + ": metadata key '" + key(name) + "': " + problem);
  }

  int integer(std::string_view name, int64_t lo, int64_t hi, std::optional<int64_t> fallback = {}) const {
    if (f_.find(key(name)) == nullptr) {
      if (fallback) return static_cast<int>(*fallback);
      fail(name, "missing (required for this architecture)");
    }
    return checked(name, f_.get_int(key(name)), lo, hi);
  }

  float real(std::string_view name, double lo, double hi, std::optional<double> fallback = {}) const {
    if (f_.find(key(name)) == nullptr) {
      if (fallback) return static_cast<float>(*fallback);
      fail(name, "missing (required for this architecture)");
    }
    const double v = f_.get_float(key(name));
    if (!(v >= lo && v <= hi)) fail(name, "value " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<float>(v);
  }

  // A per-layer value stored either as one scalar or as an array of n_layer integers.
  std::vector<int> per_layer(std::string_view name, int n_layer, int64_t lo, int64_t hi,
                             std::optional<int64_t> fallback = {}) const {
    const GgufValue* v = f_.find(key(name));
    if (v == nullptr || !v->is_array()) return std::vector<int>(n_layer, integer(name, lo, hi, fallback));
    const std::vector<int64_t> values = v->array_ints();
    if (values.size() != static_cast<size_t>(n_layer)) {
      fail(name, "array has " + std::to_string(values.size()) + " entries for " + std::to_string(n_layer) + " layers");
    }
    std::vector<int> out;
    for (int64_t x : values) out.push_back(checked(name, x, lo, hi));
    return out;
  }

  const GgufFile& file() const { return f_; }

 private:
  int checked(std::string_view name, int64_t v, int64_t lo, int64_t hi) const {
    if (v < lo || v > hi) {
      fail(name, "value " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return static_cast<int>(v);
  }

  const GgufFile& f_;
  std::string prefix_;
};

Arch parse_arch(const GgufFile& f, std::string_view name) {
  if (name == "llama") return Arch::kLlama;
  if (name == "qwen2") return Arch::kQwen2;
  if (name == "qwen3") return Arch::kQwen3;
  if (name == "gemma3") return Arch::kGemma3;
  if (name == "phi3") return Arch::kPhi3;
  throw Error(f.path() + ": unsupported architecture '" + std::string(name) +
              "' (supported: llama, qwen2, qwen3, gemma3, phi3)");
}

int vocab_size(const ConfigReader& r) {
  const GgufFile& f = r.file();
  if (f.find(r.key("vocab_size")) != nullptr) return r.integer("vocab_size", 1, kMaxVocab);
  if (const GgufValue* tokens = f.find("tokenizer.ggml.tokens"); tokens != nullptr && tokens->is_array()) {
    if (tokens->array_size() < 1 || tokens->array_size() > static_cast<uint64_t>(kMaxVocab)) {
      throw Error(f.path() + ": tokenizer.ggml.tokens has an absurd size " + std::to_string(tokens->array_size()));
    }
    return static_cast<int>(tokens->array_size());
  }
  throw Error(f.path() + ": cannot tell the vocabulary size (no " + r.key("vocab_size") + " and no tokenizer.ggml.tokens)");
}

// Rope scaling keys shared by all architectures: none, linear or YaRN.
RopeConfig read_rope(const ConfigReader& r, int head_dim, RopeMode mode, int n_ctx_train) {
  RopeConfig rope;
  rope.mode = mode;
  rope.n_rot = r.integer("rope.dimension_count", 2, head_dim, head_dim);
  if (rope.n_rot % 2 != 0) r.fail("rope.dimension_count", "must be even");
  rope.base = r.real("rope.freq_base", 1.0, 1e12, 10000.0);
  const std::string type(r.file().get_string_or(r.key("rope.scaling.type"), "none"));
  const float factor = r.real("rope.scaling.factor", 1e-3, 1e6, 1.0);
  if (type == "none") return rope;
  if (type == "linear") {
    rope.freq_scale = 1.0f / factor;
  } else if (type == "yarn") {
    rope.freq_scale = 1.0f / factor;
    rope.ext_factor = r.real("rope.scaling.yarn_ext_factor", -1.0, 1e3, 1.0);
    rope.attn_factor = r.real("rope.scaling.attn_factor", 1e-3, 1e3, 1.0);
    rope.beta_fast = r.real("rope.scaling.yarn_beta_fast", 1e-3, 1e4, 32.0);
    rope.beta_slow = r.real("rope.scaling.yarn_beta_slow", 1e-3, 1e4, 1.0);
    rope.n_ctx_orig = r.integer("rope.scaling.original_context_length", 1, kMaxContext, n_ctx_train);
  } else {
    r.fail("rope.scaling.type", "unsupported rope scaling '" + type + "' (supported: none, linear, yarn)");
  }
  return rope;
}

// Which layers use the sliding window: an explicit per-layer pattern, a period, or
// Gemma 3's default period of 6 (layers il % 6 < 5 slide; every sixth is global).
std::vector<bool> sliding_layers(const ConfigReader& r, Arch arch, int n_layer) {
  std::vector<bool> sliding(n_layer, false);
  const GgufValue* pattern = r.file().find(r.key("attention.sliding_window_pattern"));
  if (pattern != nullptr && pattern->is_array()) {
    const std::vector<int64_t> flags = pattern->array_type() == GgufType::BOOL
                                           ? std::vector<int64_t>()
                                           : pattern->array_ints();
    if (pattern->array_size() != static_cast<uint64_t>(n_layer)) {
      r.fail("attention.sliding_window_pattern", "array length differs from the layer count");
    }
    for (int il = 0; il < n_layer; ++il) {
      sliding[il] = flags.empty() ? pattern->bytes()[il] != 0 : flags[il] != 0;
    }
    return sliding;
  }
  int period = arch == Arch::kGemma3 ? 6 : 1;
  if (pattern != nullptr) period = r.integer("attention.sliding_window_pattern", 1, kMaxLayers);
  for (int il = 0; il < n_layer; ++il) sliding[il] = period == 1 || il % period < period - 1;
  return sliding;
}

}  // namespace

const char* arch_name(Arch arch) {
  switch (arch) {
    case Arch::kLlama: return "llama";
    case Arch::kQwen2: return "qwen2";
    case Arch::kQwen3: return "qwen3";
    case Arch::kGemma3: return "gemma3";
    case Arch::kPhi3: return "phi3";
  }
  return "?";
}

ModelConfig read_model_config(const GgufFile& f) {
  ModelConfig c;
  c.arch_name = std::string(f.get_string("general.architecture"));
  c.arch = parse_arch(f, c.arch_name);
  const ConfigReader r(f, c.arch_name);

  c.n_embd = r.integer("embedding_length", 1, kMaxEmbd);
  c.n_layer = r.integer("block_count", 1, kMaxLayers);
  c.n_ctx_train = r.integer("context_length", 1, kMaxContext);
  c.n_vocab = vocab_size(r);
  const std::vector<int> n_head = r.per_layer("attention.head_count", c.n_layer, 1, kMaxHeads);
  const std::vector<int> n_head_kv = r.per_layer("attention.head_count_kv", c.n_layer, 1, kMaxHeads, n_head[0]);
  const std::vector<int> n_ff = r.per_layer("feed_forward_length", c.n_layer, 1, kMaxFf);
  c.head_dim_k = r.integer("attention.key_length", 1, kMaxHeadDim,
                           c.n_embd % n_head[0] == 0 ? std::optional<int64_t>(c.n_embd / n_head[0]) : std::nullopt);
  c.head_dim_v = r.integer("attention.value_length", 1, kMaxHeadDim, c.head_dim_k);
  c.rms_eps = r.real("attention.layer_norm_rms_epsilon", 1e-12, 1.0);
  c.final_logit_softcap = r.real("final_logit_softcapping", 0.0, 1e6, 0.0);

  const RopeMode mode = c.arch == Arch::kLlama ? RopeMode::kNorm : RopeMode::kNeox;
  const RopeConfig rope = read_rope(r, c.head_dim_k, mode, c.n_ctx_train);
  c.kq_scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim_k));

  std::vector<bool> sliding(c.n_layer, false);
  if (f.find(r.key("attention.sliding_window")) != nullptr) {
    c.sliding_window = r.integer("attention.sliding_window", 0, kMaxContext);
    if (c.sliding_window > 0) sliding = sliding_layers(r, c.arch, c.n_layer);
  }
  // Gemma 3's sliding layers use their own rope base (rope.freq_base_swa, else 10000)
  // and no frequency scaling.
  RopeConfig rope_swa = rope;
  if (c.arch == Arch::kGemma3) {
    c.embed_scale = std::sqrt(static_cast<float>(c.n_embd));
    // Gemma scales Q itself (by 1/sqrt(head_dim); 1/sqrt(n_embd/n_head) for the 62-layer
    // 27B model) and uses an unscaled Q·K.
    const int scale_dim = c.n_layer == 62 ? c.n_embd / n_head[0] : c.head_dim_k;
    c.q_scale = 1.0f / std::sqrt(static_cast<float>(scale_dim));
    c.kq_scale = 1.0f;
    rope_swa = RopeConfig{};
    rope_swa.mode = mode;
    rope_swa.n_rot = rope.n_rot;
    rope_swa.base = r.real("rope.freq_base_swa", 1.0, 1e12, 10000.0);
  }

  for (int il = 0; il < c.n_layer; ++il) {
    LayerConfig& l = c.layers.emplace_back();
    l.n_head = n_head[il];
    l.n_head_kv = n_head_kv[il];
    l.n_ff = n_ff[il];
    l.sliding = sliding[il];
    l.rope = l.sliding ? rope_swa : rope;
    if (l.n_head % l.n_head_kv != 0) {
      r.fail("attention.head_count_kv", "layer " + std::to_string(il) + ": " + std::to_string(l.n_head) +
                                            " query heads are not a multiple of " + std::to_string(l.n_head_kv) +
                                            " KV heads");
    }
  }
  return c;
}

}  // namespace slm
