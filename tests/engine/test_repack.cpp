// Load-time repacking (engine/repack.h): which matrices it repacks, that SLM_REPACK=0
// turns it off, that embedding rows read from a repacked matrix are the file's bytes,
// and that a model computes the same logits either way up to float summation order
// (the same integer block sums; the kernels add the blocks' products in other orders),
// exactly the same where every repacked matrix is Q4_K or Q6_K (their kernels keep the
// dot products' arithmetic).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/session.h"
#include "kernels/interleaved.h"
#include "kernels/vec_dot.h"
#include "tests/kernels/test_vec_dot_inputs.h"
#include "tests/support/test_data.h"

namespace slm {
namespace {

std::unique_ptr<Model> load(const std::string& path, bool repack) {
  if (!repack) ::setenv("SLM_REPACK", "0", 1);
  std::unique_ptr<Model> model = Model::load(path);
  ::unsetenv("SLM_REPACK");
  return model;
}

bool has_interleaved_kernel(GgmlType type) {
  const VecDotKernel* kernel = active_vec_dot_table().find(type);
  return kernel != nullptr && kernel->interleaved != nullptr;
}

std::vector<const MatrixView*> layer_matrices(const Model& m) {
  std::vector<const MatrixView*> out;
  for (const LayerWeights& l : m.weights().layers) {
    for (const std::optional<MatrixView>* o : {&l.wq, &l.wk, &l.wv, &l.wqkv, &l.ffn_gate}) {
      if (o->has_value()) out.push_back(&o->value());
    }
    for (const MatrixView* v : {&l.wo, &l.ffn_up, &l.ffn_down}) out.push_back(v);
  }
  return out;
}

class Repack : public testing::TestWithParam<std::string> {};

TEST_P(Repack, SameModelEitherWay) {
  const std::string path = test::shared_path("reference/models/" + GetParam());
  const auto packed = load(path, true);
  const auto plain = load(path, false);
  EXPECT_EQ(plain->repacked().matrices, 0);

  // Every matrix with a kernel for the layout is repacked, the others keep the file's.
  int interleaved = 0;
  bool exact = true;
  for (const MatrixView* m : layer_matrices(*packed)) {
    const bool want = interleavable(m->type) && has_interleaved_kernel(m->type);
    EXPECT_EQ(m->layout == MatrixLayout::kInterleaved, want) << ggml_type_name(m->type);
    interleaved += want;
    if (want) exact = exact && test::bit_exact_on_every_isa(m->type);
  }
  const MatrixView& output = packed->weights().output;
  if (output.layout == MatrixLayout::kInterleaved) exact = exact && test::bit_exact_on_every_isa(output.type);
  for (const MatrixView* m : layer_matrices(*plain)) EXPECT_EQ(m->layout, MatrixLayout::kRows);
  if (selected_isa() != Isa::kScalar) {
    EXPECT_GT(interleaved, 0);
  }
  EXPECT_GE(packed->repacked().matrices, interleaved);

  // Embedding rows come back bit for bit.
  const MatrixView& embd = packed->weights().token_embd;
  std::vector<float> a(static_cast<size_t>(embd.n_cols)), b(a.size());
  for (int64_t token : {int64_t{0}, int64_t{1}, embd.n_rows / 2, embd.n_rows - 1}) {
    matrix_row(embd, token, a.data());
    matrix_row(plain->weights().token_embd, token, b.data());
    ASSERT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float))) << "token " << token;
  }

  // A prompt in one batch (the multi-token kernels) and a token through the KV cache
  // (the one-token kernels) agree up to summation order.
  const std::vector<int32_t> prompt = {1, 15, 300, 42, 7, 500, 5, 99};
  const int32_t next[] = {123};
  Session s_packed(*packed, 16), s_plain(*plain, 16);
  for (bool step : {false, true}) {
    const std::vector<float> x = step ? s_packed.evaluate(next, true) : s_packed.evaluate(prompt, true);
    const std::vector<float> y = step ? s_plain.evaluate(next, true) : s_plain.evaluate(prompt, true);
    ASSERT_EQ(x.size(), y.size());
    double scale = 0.0, diff = 0.0;
    for (size_t i = 0; i < x.size(); ++i) {
      scale = std::max(scale, std::fabs(static_cast<double>(y[i])));
      diff = std::max(diff, std::fabs(static_cast<double>(x[i]) - y[i]));
    }
    std::printf("%s %s: largest logit difference %.3g (largest logit %.3g)\n", GetParam().c_str(),
                step ? "one token" : "prompt", diff, scale);
    EXPECT_LE(diff, 1e-3 * scale) << (step ? "one token" : "prompt");
    if (exact) {
      EXPECT_EQ(x, y) << (step ? "one token" : "prompt");
    }
  }
}

// Every interleavable type's weights, Q4_0 and Q4_K_M in other architectures.
INSTANTIATE_TEST_SUITE_P(Models, Repack,
                         testing::Values("ref-llama-zoo-Q4_0.gguf", "ref-llama-zoo-Q4_1.gguf", "ref-llama-zoo-Q5_0.gguf",
                                         "ref-llama-zoo-Q5_1.gguf", "ref-llama-zoo-Q8_0.gguf",
                                         "ref-llama-zoo-IQ4_NL.gguf", "ref-llama-zoo-Q4_K_M.gguf",
                                         "ref-llama-zoo-Q6_K.gguf", "ref-qwen2-Q4_0.gguf", "ref-phi3-Q4_0.gguf",
                                         "ref-qwen2-Q4_K_M.gguf"),
                         [](const testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param.substr(0, p.param.size() - 5);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace slm
