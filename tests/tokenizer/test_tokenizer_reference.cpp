// Prompts from shared/reference/outputs/*.json: llama.cpp's `tokens` for `prompt_text`
// (add_special = the file's add_bos, parse_special as the file says), for every model
// file the outputs were made with.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "slm/tokenizer.h"
#include "tests/support/test_data.h"
#include "tests/tokenizer/vocab_cases.h"

namespace slm::test {
namespace {

struct Prompt {
  std::string file;
  std::string text;
  bool add_bos;
  bool parse_special;
  std::vector<TokenId> tokens;
};

std::map<std::string, std::vector<Prompt>> prompts_by_model() {
  std::map<std::string, std::vector<Prompt>> by_model;
  const std::string dir = shared_path("reference/outputs");
  if (!std::filesystem::is_directory(dir)) return by_model;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    const auto j = nlohmann::json::parse(read_file(e.path().string()));
    Prompt p;
    p.file = e.path().filename().string();
    p.text = j.at("prompt_text").get<std::string>();
    p.add_bos = j.at("add_bos").get<bool>();
    p.parse_special = j.value("parse_special", false);
    p.tokens = j.at("tokens").get<std::vector<TokenId>>();
    by_model[j.at("model").get<std::string>()].push_back(std::move(p));
  }
  return by_model;
}

// Where a model file named in the outputs lives; "" when it is a real model not installed.
std::string model_file(const std::string& name) {
  if (name.rfind("gemma-3-270m", 0) == 0) return gemma_path();
  if (name.rfind("SmolLM2-135M", 0) == 0) return smollm2_path();
  for (const char* dir : {"reference/models/", "models/"}) {
    const std::string p = shared_path(dir + name);
    if (std::filesystem::exists(p)) return p;
  }
  ADD_FAILURE() << "model file " << name << " not found under " << shared_dir();
  return "";
}

TEST(TokenizerReference, PromptsMatchLlamaCpp) {
  const auto by_model = prompts_by_model();
  ASSERT_FALSE(by_model.empty()) << "no reference outputs in " << shared_path("reference/outputs");
  size_t models = 0;
  size_t prompts = 0;
  for (const auto& [name, list] : by_model) {
    const std::string path = model_file(name);
    if (path.empty()) continue;
    SCOPED_TRACE(name);
    const Tokenizer tok = Tokenizer::from_file(path);
    ++models;
    for (const Prompt& p : list) {
      EXPECT_EQ(tok.add_bos(), p.add_bos) << p.file;
      const auto got = tok.encode(p.text, /*add_special=*/p.add_bos, p.parse_special);
      EXPECT_EQ(ids_to_string(got), ids_to_string(p.tokens)) << p.file;
      ++prompts;
    }
  }
  std::printf("[reference] %zu prompts on %zu model files\n", prompts, models);
}

}  // namespace
}  // namespace slm::test
