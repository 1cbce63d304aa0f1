// slm-bench synth --shape NAME -o OUT.gguf [--type F16|F32|BF16] [--seed S]
// slm-bench synth --arch llama|qwen2 --layers N --embd N --heads N --kv-heads N --ff N --vocab N -o OUT.gguf
//
// Writes a model with random weights, N(0, 0.02), in the shape of a real one, so that anyone
// can reproduce the speed benchmarks (speed does not depend on weight values): quantize it
// with `slm-quantize OUT.gguf OUT-Q4_0.gguf Q4_0`. The vocabulary is a SentencePiece one of
// the right size (<unk>, <s>, </s>, the 256 byte tokens, then placeholders), which both slm
// and llama.cpp load. Embeddings are tied, as in the three named shapes.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_commands.h"
#include "slm/error.h"
#include "slm/gguf.h"
#include "slm/quant.h"

namespace slm::bench {

namespace {

struct Shape {
  std::string name;
  std::string arch;  // llama or qwen2
  int layers = 0, embd = 0, heads = 0, kv_heads = 0, ff = 0, vocab = 0;
  int ctx = 8192;
  float rope_base = 10000.0f;
  bool qkv_bias = false;  // qwen2
};

// The shapes of ../shared/bench's synthetic benchmark models.
const Shape kShapes[] = {
    {"smollm2-135m", "llama", 30, 576, 9, 3, 1536, 49152, 8192, 100000.0f, false},
    {"qwen2.5-0.5b", "qwen2", 24, 896, 14, 2, 4864, 151936, 32768, 1000000.0f, true},
    {"llama-3.2-1b", "llama", 16, 2048, 32, 8, 8192, 128256, 131072, 500000.0f, false},
};

struct SynthOptions {
  Shape shape;
  std::string shape_name;
  std::string output;
  std::string type = "F16";
  unsigned seed = 42;
};

class RandomWeights {
 public:
  explicit RandomWeights(unsigned seed) : rng_(seed) {}

  // n random values N(0, 0.02) stored as `type`.
  std::vector<uint8_t> make(GgmlType type, int64_t n_cols, int64_t n_rows) {
    std::vector<float> row(static_cast<size_t>(n_cols));
    const size_t row_bytes = row_size(type, n_cols);
    std::vector<uint8_t> out(row_bytes * static_cast<size_t>(n_rows));
    for (int64_t r = 0; r < n_rows; ++r) {
      for (float& x : row) x = 0.02f * normal_(rng_);
      quantize_row(type, row.data(), out.data() + static_cast<size_t>(r) * row_bytes, n_cols);
    }
    return out;
  }

 private:
  std::mt19937 rng_;
  std::normal_distribution<float> normal_{0.0f, 1.0f};
};

void add_vocabulary(GgufWriter& w, int n_vocab) {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};  // UNKNOWN, CONTROL, CONTROL
  for (int b = 0; b < 256; ++b) {
    char piece[8];
    std::snprintf(piece, sizeof piece, "<0x%02X>", b);
    tokens.emplace_back(piece);
    types.push_back(6);  // BYTE
  }
  while (static_cast<int>(tokens.size()) < n_vocab) {
    tokens.push_back("\xe2\x96\x81t" + std::to_string(tokens.size()));
    types.push_back(1);  // NORMAL
  }
  std::vector<float> scores(tokens.size());
  for (size_t i = 0; i < scores.size(); ++i) scores[i] = -static_cast<float>(i);
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_array_strings("tokenizer.ggml.tokens", tokens);
  w.set_array("tokenizer.ggml.scores", GgufType::FLOAT32, scores.data(), scores.size());
  w.set_array("tokenizer.ggml.token_type", GgufType::INT32, types.data(), types.size());
  w.set_u32("tokenizer.ggml.unknown_token_id", 0);
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
}

void write_synthetic_model(const SynthOptions& o) {
  const Shape& s = o.shape;
  if (s.arch != "llama" && s.arch != "qwen2") throw Error("--arch must be llama or qwen2");
  if (s.layers < 1 || s.embd < 1 || s.heads < 1 || s.kv_heads < 1 || s.ff < 1 || s.vocab < 260 ||
      s.heads % s.kv_heads != 0 || s.embd % s.heads != 0 || s.layers > 1024 || s.embd > 65536 || s.ff > 262144 ||
      s.vocab > (1 << 20)) {
    throw Error("impossible shape: need layers, embd, heads, kv-heads, ff >= 1, vocab >= 260, heads a multiple of "
                "kv-heads and embd of heads");
  }
  const std::optional<GgmlType> type = ggml_type_from_name(o.type);
  if (!type || (*type != GgmlType::F16 && *type != GgmlType::F32 && *type != GgmlType::BF16)) {
    throw Error("--type must be F16, BF16 or F32 (quantize the result with slm-quantize)");
  }
  const int head_dim = s.embd / s.heads;
  const std::string a = s.arch;
  GgufWriter w(3);
  w.set_string("general.architecture", a);
  w.set_string("general.name", "synthetic " + (o.shape_name.empty() ? a : o.shape_name));
  w.set_u32(a + ".block_count", static_cast<uint32_t>(s.layers));
  w.set_u32(a + ".context_length", static_cast<uint32_t>(s.ctx));
  w.set_u32(a + ".embedding_length", static_cast<uint32_t>(s.embd));
  w.set_u32(a + ".feed_forward_length", static_cast<uint32_t>(s.ff));
  w.set_u32(a + ".attention.head_count", static_cast<uint32_t>(s.heads));
  w.set_u32(a + ".attention.head_count_kv", static_cast<uint32_t>(s.kv_heads));
  w.set_u32(a + ".rope.dimension_count", static_cast<uint32_t>(head_dim));
  w.set_f32(a + ".rope.freq_base", s.rope_base);
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_u32("general.file_type", *type == GgmlType::F32 ? 0 : *type == GgmlType::F16 ? 1 : 32);
  add_vocabulary(w, s.vocab);

  RandomWeights random(o.seed);
  const auto matrix = [&](const std::string& name, int64_t n_cols, int64_t n_rows) {
    const std::vector<uint8_t> data = random.make(*type, n_cols, n_rows);
    w.add_tensor(name, *type, {n_cols, n_rows}, data.data(), data.size());
  };
  const auto ones = [&](const std::string& name, int64_t n) {
    const std::vector<float> v(static_cast<size_t>(n), 1.0f);
    w.add_tensor(name, GgmlType::F32, {n}, v.data(), v.size() * sizeof(float));
  };
  const auto zeros = [&](const std::string& name, int64_t n) {
    const std::vector<float> v(static_cast<size_t>(n), 0.0f);
    w.add_tensor(name, GgmlType::F32, {n}, v.data(), v.size() * sizeof(float));
  };
  matrix("token_embd.weight", s.embd, s.vocab);
  ones("output_norm.weight", s.embd);
  const int64_t q = static_cast<int64_t>(s.heads) * head_dim, kv = static_cast<int64_t>(s.kv_heads) * head_dim;
  for (int l = 0; l < s.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    ones(p + "attn_norm.weight", s.embd);
    matrix(p + "attn_q.weight", s.embd, q);
    matrix(p + "attn_k.weight", s.embd, kv);
    matrix(p + "attn_v.weight", s.embd, kv);
    if (s.qkv_bias) {
      zeros(p + "attn_q.bias", q);
      zeros(p + "attn_k.bias", kv);
      zeros(p + "attn_v.bias", kv);
    }
    matrix(p + "attn_output.weight", q, s.embd);
    ones(p + "ffn_norm.weight", s.embd);
    matrix(p + "ffn_gate.weight", s.embd, s.ff);
    matrix(p + "ffn_up.weight", s.embd, s.ff);
    matrix(p + "ffn_down.weight", s.ff, s.embd);
  }
  w.write(o.output);
  std::fprintf(stderr, "%s: %s shape, %d layers, n_embd %d, %d/%d heads, n_ff %d, vocab %d, %s\n", o.output.c_str(),
               a.c_str(), s.layers, s.embd, s.heads, s.kv_heads, s.ff, s.vocab, o.type.c_str());
}

std::string shape_names() {
  std::string names;
  for (const Shape& s : kShapes) names += (names.empty() ? "" : ", ") + s.name;
  return names;
}

}  // namespace

void register_synth(CLI::App& app) {
  auto o = std::make_shared<SynthOptions>();
  CLI::App* cmd = app.add_subcommand("synth", "Write a random-weight model in a real model's shape");
  cmd->add_option("--shape", o->shape_name, "A named shape: " + shape_names());
  cmd->add_option("--arch", o->shape.arch, "llama or qwen2 (with the dimension options)");
  cmd->add_option("--layers", o->shape.layers);
  cmd->add_option("--embd", o->shape.embd);
  cmd->add_option("--heads", o->shape.heads);
  cmd->add_option("--kv-heads", o->shape.kv_heads);
  cmd->add_option("--ff", o->shape.ff);
  cmd->add_option("--vocab", o->shape.vocab);
  cmd->add_option("-o,--output", o->output, "GGUF file to write")->required();
  cmd->add_option("--type", o->type, "F16 (default), BF16 or F32");
  cmd->add_option("--seed", o->seed, "Random seed");
  cmd->callback([o] {
    SynthOptions opt = *o;
    if (!opt.shape_name.empty()) {
      const auto it = std::find_if(std::begin(kShapes), std::end(kShapes),
                                   [&](const Shape& s) { return s.name == opt.shape_name; });
      if (it == std::end(kShapes)) throw Error("unknown shape '" + opt.shape_name + "'; one of " + shape_names());
      opt.shape = *it;
    } else {
      opt.shape.qkv_bias = opt.shape.arch == "qwen2";
    }
    write_synthetic_model(opt);
  });
}

}  // namespace slm::bench
