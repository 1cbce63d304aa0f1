// Generation through the public API (slm.h / slm.hpp) on small reference models:
// greedy output equals llama.cpp's, prefix reuse and saved sessions change nothing,
// stop strings cut and stream correctly, and bad input gets a status, never a crash.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "slm/slm.hpp"
#include "slm/tokenizer.h"
#include "tests/support/test_data.h"

namespace slm::test {
namespace {

using nlohmann::json;

const char* kModel = "reference/models/ref-llama-F32.gguf";
const char* kReference = "reference/outputs/ref-llama-F32--v1.json";

slm_generate_params greedy(int max_tokens) {
  slm_generate_params p = slm_generate_default_params();
  p.sampling.temperature = 0.0f;
  p.max_tokens = max_tokens;
  p.ignore_eos = true;
  return p;
}

TEST(Generation, GreedyEqualsLlamaCpp) {
  const json ref = json::parse(read_file(shared_path(kReference)));
  const api::Model model(shared_path(kModel));
  api::Session session(model);
  const std::vector<slm_token> prompt = ref["tokens"];
  const api::Generation g = session.generate(prompt, greedy(24));
  const std::vector<slm_token> want = ref["greedy"];
  const std::vector<double> margins = ref["greedy_margin"];
  ASSERT_EQ(g.tokens.size(), 24u);
  for (size_t i = 0; i < want.size() && margins[i] > 0.1; ++i) EXPECT_EQ(g.tokens[i], want[i]) << "step " << i;
  EXPECT_EQ(g.result.n_prompt, static_cast<int>(prompt.size()));
  EXPECT_EQ(g.result.n_reused, 0);
  EXPECT_EQ(g.result.stop_reason, SLM_STOP_MAX_TOKENS);
  // Random weights emit stray byte tokens; the streamed text shows them as U+FFFD.
  EXPECT_EQ(g.text, sanitize_utf8(model.detokenize(g.tokens)));
}

TEST(Generation, PromptTokenizationMatchesTheReference) {
  const json ref = json::parse(read_file(shared_path(kReference)));
  const api::Model model(shared_path(kModel));
  EXPECT_EQ(model.tokenize(ref["prompt_text"].get<std::string>(), true, false), ref["tokens"].get<std::vector<slm_token>>());
}

TEST(Generation, SharedPrefixIsReusedWithoutChangingTheResult) {
  const api::Model model(shared_path(kModel));
  const std::vector<slm_token> fixed = model.tokenize("the quick brown fox jumps over the lazy dog and then", true);
  std::vector<slm_token> first = fixed;
  for (slm_token t : model.tokenize(" a cat", false)) first.push_back(t);
  std::vector<slm_token> second = fixed;
  for (slm_token t : model.tokenize(" the bird sang", false)) second.push_back(t);

  api::Session reused(model);
  reused.generate(first, greedy(8));
  const api::Generation again = reused.generate(second, greedy(8));
  size_t shared = 0;
  while (first[shared] == second[shared]) ++shared;
  EXPECT_GE(shared, fixed.size());
  EXPECT_EQ(again.result.n_reused, static_cast<int>(shared));
  api::Session fresh(model);
  const api::Generation expected = fresh.generate(second, greedy(8));
  EXPECT_EQ(again.tokens, expected.tokens);

  // The identical prompt again reuses all but its last token.
  const api::Generation same = fresh.generate(second, greedy(8));
  EXPECT_EQ(same.result.n_reused, static_cast<int>(second.size()) - 1);
  EXPECT_EQ(same.tokens, expected.tokens);
}

TEST(Generation, SavedSessionRestoresTheCache) {
  const api::Model model(shared_path(kModel));
  const std::vector<slm_token> prompt = model.tokenize("once upon a time there was a little girl", true);
  api::Session a(model);
  const api::Generation direct = a.generate(prompt, greedy(6));
  const std::string path = ::testing::TempDir() + "/slm_session.bin";
  a.save(path);
  api::Session b(model);
  b.load(path);
  EXPECT_EQ(b.n_past(), a.n_past());
  const api::Generation restored = b.generate(prompt, greedy(6));
  EXPECT_EQ(restored.result.n_reused, static_cast<int>(prompt.size()) - 1);
  EXPECT_EQ(restored.tokens, direct.tokens);

  api::Session small(model, slm_session_params{4, 0});
  EXPECT_THROW(small.load(path), Error);
  EXPECT_THROW(b.load(path + ".missing"), Error);
  const api::Model other(shared_path("reference/models/ref-llama-Q4_K_M.gguf"));
  api::Session wrong(other);
  EXPECT_THROW(wrong.load(path), Error);
}

// The cache holds f16 keys and values of every position of every layer: ref-llama has
// 2 layers of 2 KV heads of 64 dimensions, so 2 · 2 · (128 + 128) = 1024 bytes a position.
TEST(Generation, CacheBytesCountEveryPositionsKeysAndValues) {
  const api::Model model(shared_path(kModel));
  EXPECT_EQ(api::Session(model, slm_session_params{64, 0}).cache_bytes(), 64u * 1024u);
  EXPECT_EQ(api::Session(model, slm_session_params{100, 0}).cache_bytes(), 100u * 1024u);
  EXPECT_EQ(slm_session_cache_bytes(nullptr), 0u);
}

TEST(Generation, TruncateDropsTheTailAndKeepsThePrefix) {
  const api::Model model(shared_path(kModel));
  const std::vector<slm_token> prefix = model.tokenize("once upon a time", true);
  const std::vector<slm_token> tail_a = model.tokenize(" there was a dog", false);
  const std::vector<slm_token> tail_b = model.tokenize(" in a far land", false);
  api::Session session(model);
  session.eval(prefix, false);
  session.eval(tail_a, false);
  session.truncate(static_cast<int>(prefix.size()));
  EXPECT_EQ(session.n_past(), static_cast<int>(prefix.size()));
  const std::vector<float> after_truncate = session.eval(tail_b, false);

  std::vector<slm_token> whole = prefix;
  whole.insert(whole.end(), tail_b.begin(), tail_b.end());
  api::Session fresh(model);
  EXPECT_EQ(fresh.eval(whole, false), after_truncate);
  EXPECT_THROW(session.truncate(session.n_past() + 1), Error);
  EXPECT_THROW(session.truncate(-1), Error);
  EXPECT_NE(slm_session_truncate(nullptr, 0), SLM_OK);
}

TEST(Generation, BosAndEosIdsComeFromTheVocabulary) {
  const api::Model model(shared_path(kModel));
  const Tokenizer tokenizer = Tokenizer::from_file(shared_path(kModel));
  EXPECT_EQ(model.bos(), tokenizer.bos());
  EXPECT_EQ(model.eos(), tokenizer.eos());
  EXPECT_GE(model.bos(), 0);
  EXPECT_EQ(slm_model_bos(nullptr), -1);
}

TEST(Generation, StopStringsCutAndStream) {
  const api::Model model(shared_path(kModel));
  const std::vector<slm_token> prompt = model.tokenize("the quick brown fox", true);
  api::Session session(model);
  const api::Generation full = session.generate(prompt, greedy(24));
  ASSERT_GT(full.text.size(), 12u);
  const std::string stop = full.text.substr(8, 3);
  const size_t cut = full.text.find(stop);
  slm_generate_params p = greedy(24);
  const char* stops[] = {stop.c_str()};
  p.stop = stops;
  p.n_stop = 1;
  std::string streamed;
  const api::Generation g = session.generate(prompt, p, [&](std::string_view t) {
    streamed += t;
    return true;
  });
  EXPECT_EQ(g.result.stop_reason, SLM_STOP_STRING);
  EXPECT_EQ(g.text, full.text.substr(0, cut));
  EXPECT_EQ(streamed, g.text);

  // A callback that returns false stops generation after its first piece.
  int calls = 0;
  const api::Generation stopped = session.generate(prompt, greedy(24), [&](std::string_view) { return ++calls < 1; });
  EXPECT_EQ(stopped.result.stop_reason, SLM_STOP_CALLBACK);
  EXPECT_EQ(calls, 1);
}

TEST(Generation, SeededSamplingIsReproducible) {
  const api::Model model(shared_path(kModel));
  const std::vector<slm_token> prompt = model.tokenize("the quick brown fox", true);
  slm_generate_params p = slm_generate_default_params();
  p.max_tokens = 12;
  p.ignore_eos = true;
  p.sampling.random_seed = false;
  p.sampling.seed = 1234;
  api::Session a(model), b(model);
  EXPECT_EQ(a.generate(prompt, p).tokens, b.generate(prompt, p).tokens);
}

TEST(Generation, BadInputGetsAStatus) {
  slm_model* m = nullptr;
  EXPECT_EQ(slm_model_load("/nonexistent.gguf", &m), SLM_ERROR_MODEL);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(slm_last_error()).find("/nonexistent.gguf"), std::string::npos);
  EXPECT_EQ(slm_model_load(nullptr, &m), SLM_ERROR_INVALID_ARGUMENT);

  const api::Model model(shared_path(kModel));
  api::Session tiny(model, slm_session_params{8, 0});
  const std::vector<slm_token> long_prompt(20, 5);
  slm_generate_params p = greedy(4);
  EXPECT_EQ(slm_generate(tiny.get(), long_prompt.data(), long_prompt.size(), &p, nullptr, 0, nullptr),
            SLM_ERROR_CONTEXT_OVERFLOW);
  const slm_token bad[] = {1, 100000};
  EXPECT_EQ(slm_session_eval(tiny.get(), bad, 2, false, nullptr), SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slm_last_error()).find("outside the vocabulary"), std::string::npos);
  EXPECT_EQ(slm_generate(tiny.get(), bad, 0, &p, nullptr, 0, nullptr), SLM_ERROR_INVALID_ARGUMENT);
  slm_session_params params{-1, 0};
  slm_session* s = nullptr;
  EXPECT_EQ(slm_session_create(model.get(), &params, &s), SLM_ERROR_INVALID_ARGUMENT);

  size_t n = 0;
  slm_token out[2];
  EXPECT_EQ(slm_tokenize(model.get(), "hello world again", 17, true, false, out, 2, &n), SLM_ERROR_BUFFER_TOO_SMALL);
  EXPECT_GT(n, 2u);
}

}  // namespace
}  // namespace slm::test
