// llama.cpp's test-tokenizer-0 vectors: every ggml-vocab-*.gguf in shared/vocab and the
// two real models must tokenize every text exactly like llama.cpp (no BOS/EOS, special
// tokens not parsed).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "slm/gguf.h"
#include "slm/tokenizer.h"
#include "tests/support/test_data.h"
#include "tests/tokenizer/vocab_cases.h"

namespace slm::test {
namespace {

// Checks all cases; returns the number that matched and prints a per-file summary.
size_t check_vectors(const Tokenizer& tok, const std::string& label, const std::vector<VocabCase>& cases) {
  size_t ok = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto got = tok.encode(cases[i].text, /*add_special=*/false, /*parse_special=*/false);
    if (got == cases[i].expected) {
      ++ok;
    } else {
      ADD_FAILURE() << label << " case " << i << " text '" << cases[i].text << "'\n  expected: "
                    << ids_to_string(cases[i].expected) << "\n  got:      " << ids_to_string(got);
    }
  }
  std::printf("[vectors] %s: %zu/%zu\n", label.c_str(), ok, cases.size());
  return ok;
}

TEST(TokenizerVectors, AllVocabFiles) {
  const auto files = vocab_files_with_vectors();
  ASSERT_GE(files.size(), 8u) << "expected the ggml-vocab-*.gguf files in " << shared_path("vocab");
  for (const auto& path : files) {
    SCOPED_TRACE(path);
    const Tokenizer tok = Tokenizer::from_file(path);
    const auto cases = read_vocab_cases(path + ".inp", path + ".out");
    ASSERT_FALSE(cases.empty());
    const std::string label = std::filesystem::path(path).filename().string();
    EXPECT_EQ(check_vectors(tok, label, cases), cases.size()) << label;
  }
}

void check_real_model(const std::string& model, const std::string& vectors_stem) {
  if (model.empty()) return;  // skipped (model not installed)
  const Tokenizer tok = Tokenizer::from_file(model);
  const std::string base = shared_path("vocab/" + vectors_stem);
  const auto cases = read_vocab_cases(base + ".inp", base + ".out");
  ASSERT_FALSE(cases.empty());
  EXPECT_EQ(check_vectors(tok, vectors_stem, cases), cases.size());
}

TEST(TokenizerVectors, Gemma3) { check_real_model(gemma_path(), "gemma-3-270m-q4_k_m.gguf"); }

TEST(TokenizerVectors, SmolLM2) { check_real_model(smollm2_path(), "SmolLM2-135M-Instruct.Q4_1.gguf"); }

}  // namespace
}  // namespace slm::test
