// Constrained generation end to end with Gemma 3 270M: JSON Schema, tool calls (BFCL
// function definitions) and regex outputs, checked by an independent validator (Python
// `jsonschema`, tests/engine/validate_outputs.py) for several seeds; jump-forward; the
// model-free matcher of the C API; and slm-run's constraint flags and exit statuses.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "slm/slm.hpp"
#include "tests/support/test_data.h"

namespace slm::test {
namespace {

using nlohmann::json;

const char* kPerson = R"({"type": "object", "properties": {
  "name": {"type": "string", "maxLength": 40},
  "birth_year": {"type": "integer", "minimum": 0, "maximum": 2100},
  "city": {"type": "string", "maxLength": 40}},
  "required": ["name", "birth_year", "city"], "additionalProperties": false})";

const char* kArticle = R"({"type": "object", "properties": {
  "title": {"type": "string", "minLength": 1, "maxLength": 30},
  "tags": {"type": "array", "items": {"enum": ["news", "sport", "science"]}, "minItems": 1, "maxItems": 3},
  "score": {"type": "number", "minimum": 0, "maximum": 10},
  "done": {"type": "boolean"}},
  "required": ["title", "tags", "score", "done"], "additionalProperties": false})";

slm_generate_params sampled(uint64_t seed) {
  slm_generate_params p = slm_generate_default_params();
  p.sampling.seed = seed;
  p.sampling.random_seed = false;
  p.max_tokens = -1;  // until the constraint is complete
  return p;
}

// Runs the independent validator over the cases; "" when all are valid.
std::string invalid_cases(const json& cases) {
  const std::string path = ::testing::TempDir() + "/slm_constrained_cases.json";
  std::ofstream(path) << json{{"cases", cases}}.dump();
  const CommandResult r =
      run_command("python3 " + shell_quote(std::string(SLM_SOURCE_DIR) + "/tests/engine/validate_outputs.py") + " " +
                  shell_quote(path));
  return r.exit_code == 0 ? "" : r.out + r.err;
}

class ConstrainedGemma : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string path = gemma_path();
    if (!path.empty()) model_ = new api::Model(path);
  }
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }
  void SetUp() override {
    if (model_ == nullptr) GTEST_SKIP() << "Gemma 3 270M is not installed";
  }
  api::Generation generate(const std::string& prompt, const api::Constraint& c, uint64_t seed) {
    api::Session session(*model_, slm_session_params{1024, 1});
    slm_generate_params p = sampled(seed);
    p.constraint = c.get();
    return session.generate(model_->tokenize(prompt, true), p);
  }
  static api::Model* model_;
};
api::Model* ConstrainedGemma::model_ = nullptr;

TEST_F(ConstrainedGemma, JsonSchemaOutputsValidateForEverySeed) {
  json cases = json::array();
  for (const auto& [schema, prompt] : {std::pair{kPerson, "Extract the person: Ada Lovelace, born 1815 in London.\n"},
                                       std::pair{kArticle, "Describe this article as JSON: Mars rover finds water.\n"}}) {
    const api::Constraint c(*model_, SLM_CONSTRAINT_JSON_SCHEMA, schema);
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      const api::Generation g = generate(prompt, c, seed);
      EXPECT_EQ(g.result.stop_reason, SLM_STOP_END_OF_GENERATION) << g.text;
      cases.push_back({{"kind", "schema"}, {"schema", json::parse(schema)}, {"output", g.text}});
    }
  }
  EXPECT_EQ(invalid_cases(cases), "");
}

// With additional properties allowed (the spec's default) a small base model keeps
// adding keys; a budget still ends in a complete, valid object.
TEST_F(ConstrainedGemma, TheBudgetAlwaysEndsInACompleteOutput) {
  const char* open_person = R"({"type": "object", "properties": {"name": {"type": "string"},
    "birth_year": {"type": "integer"}, "city": {"type": "string"}}, "required": ["name", "birth_year", "city"]})";
  const api::Constraint c(*model_, SLM_CONSTRAINT_JSON_SCHEMA, open_person);
  json cases = json::array();
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    api::Session session(*model_, slm_session_params{1024, 1});
    slm_generate_params p = sampled(seed);
    p.constraint = c.get();
    p.max_tokens = 60;
    const api::Generation g = session.generate(model_->tokenize("Extract the person: Ada Lovelace, born 1815 in London", true), p);
    EXPECT_EQ(g.result.stop_reason, SLM_STOP_END_OF_GENERATION) << g.text;
    EXPECT_LE(g.result.n_generated, 60);
    cases.push_back({{"kind", "schema"}, {"schema", json::parse(open_person)}, {"output", g.text}});
  }
  EXPECT_EQ(invalid_cases(cases), "");
}

TEST_F(ConstrainedGemma, ToolCallsForBfclFunctionsParseAndNameADefinedFunction) {
  std::ifstream in(shared_path("bfcl/BFCL_v4_simple_python.json"));
  json cases = json::array();
  std::string line;
  for (int n = 0; n < 6 && std::getline(in, line); ++n) {
    const json entry = json::parse(line);
    const std::string tools = entry["function"].dump();
    const std::string question = entry["question"][0][0]["content"];
    for (const char* format : {"python", "json"}) {
      slm_constraint_params p = slm_constraint_default_params();
      p.tool_choice = "required";
      p.tool_format = format;
      const api::Constraint c(*model_, SLM_CONSTRAINT_TOOLS, tools, p);
      const api::Generation g = generate(question + "\nCall: ", c, static_cast<uint64_t>(n + 1));
      EXPECT_EQ(g.result.stop_reason, SLM_STOP_END_OF_GENERATION) << g.text;
      cases.push_back({{"kind", "tools"}, {"format", format}, {"tools", entry["function"]}, {"output", g.text}});
    }
  }
  ASSERT_EQ(cases.size(), 12u);
  EXPECT_EQ(invalid_cases(cases), "");
}

TEST_F(ConstrainedGemma, RegexMatchesTheWholeOutput) {
  const api::Constraint c(*model_, SLM_CONSTRAINT_REGEX, "[0-9]{4}-(0[1-9]|1[0-2])-[0-3][0-9]");
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const api::Generation g = generate("The date today is ", c, seed);
    EXPECT_TRUE(std::regex_match(g.text, std::regex("[0-9]{4}-(0[1-9]|1[0-2])-[0-3][0-9]"))) << g.text;
  }
}

// Bytes every continuation shares ("name": after the opening brace, say) are appended
// without sampling, and the tokens still spell the text.
TEST_F(ConstrainedGemma, ForcedSpansAreAppendedWithoutSampling) {
  slm_constraint_params p = slm_constraint_default_params();
  p.compact_json = true;
  const api::Constraint c(*model_, SLM_CONSTRAINT_JSON_SCHEMA, kPerson, p);
  const api::Generation g = generate("Extract the person: Ada Lovelace, born 1815 in London.\n", c, 7);
  EXPECT_GT(g.result.n_forced, 3) << g.text;
  EXPECT_LT(g.result.n_forced, g.result.n_generated);
  EXPECT_EQ(model_->detokenize(g.tokens), g.text);
  EXPECT_EQ(g.text.rfind("{\"name\":\"", 0), 0u) << g.text;
}

// The matcher without generation, on a vocabulary-only model: accept, mask, rollback,
// end-of-generation only where the output is complete.
TEST(ConstraintApi, MatcherFollowsTheGrammarTokenByToken) {
  const api::Model model = api::Model::load_vocab(shared_path("reference/models/ref-qwen3-Q4_0.gguf"));
  const api::Constraint c(model, SLM_CONSTRAINT_GRAMMAR, "root ::= \"yes\" | \"no\" \" way\"");
  api::Matcher m(c, model.n_vocab());
  const auto allowed = [&](slm_token t) {
    const std::vector<uint64_t> bits = m.mask();
    return ((bits[static_cast<size_t>(t) / 64] >> (t % 64)) & 1u) != 0;
  };
  const std::vector<slm_token> no = model.tokenize("no", false);
  const std::vector<slm_token> way = model.tokenize(" way", false);
  const std::vector<slm_token> maybe = model.tokenize("maybe", false);
  ASSERT_FALSE(no.empty());
  EXPECT_TRUE(allowed(no[0]));
  EXPECT_FALSE(allowed(maybe[0]));
  EXPECT_FALSE(allowed(model.eos()));
  EXPECT_FALSE(m.accept(maybe[0]));
  for (slm_token t : no) ASSERT_TRUE(m.accept(t));
  EXPECT_FALSE(m.is_complete());
  EXPECT_FALSE(m.accept(model.eos()));
  for (slm_token t : way) ASSERT_TRUE(m.accept(t));
  EXPECT_TRUE(m.is_complete());
  EXPECT_TRUE(allowed(model.eos()));
  m.rollback(way.size());
  EXPECT_FALSE(m.is_complete());
  for (slm_token t : way) ASSERT_TRUE(m.accept(t));
  EXPECT_TRUE(m.accept(model.eos()));
  EXPECT_TRUE(m.is_terminated());
  m.reset();
  EXPECT_FALSE(m.is_complete());
  EXPECT_FALSE(m.is_terminated());
  EXPECT_FALSE(m.accept(-1));
  EXPECT_THROW(m.rollback(1), Error);
}

TEST(ConstraintApi, ConstraintsThatDoNotCompileSayWhy) {
  const api::Model model = api::Model::load_vocab(shared_path("reference/models/ref-qwen3-Q4_0.gguf"));
  const struct {
    slm_constraint_kind kind;
    const char* text;
    const char* reason;
  } cases[] = {
      {SLM_CONSTRAINT_GRAMMAR, "root ::= missing", "missing"},
      {SLM_CONSTRAINT_JSON_SCHEMA, R"({"type": "array", "uniqueItems": true})", "uniqueItems"},
      {SLM_CONSTRAINT_JSON_SCHEMA, "{not json", "JSON"},
      {SLM_CONSTRAINT_REGEX, "(a)\\1", "backreference"},
      {SLM_CONSTRAINT_TOOLS, R"([{"description": "no name"}])", "name"},
  };
  for (const auto& c : cases) {
    slm_constraint* out = nullptr;
    EXPECT_EQ(slm_constraint_create(model.get(), c.kind, c.text, std::strlen(c.text), nullptr, &out), SLM_ERROR_CONSTRAINT)
        << c.text;
    EXPECT_EQ(out, nullptr);
    EXPECT_NE(std::string(slm_last_error()).find(c.reason), std::string::npos) << slm_last_error();
  }
  slm_constraint_params p = slm_constraint_default_params();
  p.tool_choice = "nonexistent";
  EXPECT_THROW(api::Constraint(model, SLM_CONSTRAINT_TOOLS, R"([{"name": "f"}])", p), Error);
}

TEST(ConstraintCli, SlmRunConstraintFlags) {
  const std::string model = gemma_path();
  if (model.empty()) return;
  const std::string run = shell_quote(tools_dir() + "/slm-run") + " -m " + shell_quote(model) + " -s 3 -t 1 ";
  CommandResult r = run_command(run + "-p 'Name a color:' --json --json-schema " +
                                shell_quote(R"({"type":"object","properties":{"color":{"enum":["red","green","blue"]}},"required":["color"],"additionalProperties":false})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  const json color = json::parse(out["text"].get<std::string>());
  EXPECT_TRUE(color["color"] == "red" || color["color"] == "green" || color["color"] == "blue") << out;
  EXPECT_GT(out["timings"]["n_forced"].get<int>(), 0);

  r = run_command(run + "-p x --json-schema " + shell_quote(R"({"type":"array","uniqueItems":true})"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("uniqueItems"), std::string::npos) << r.err;
  r = run_command(run + "-p x --regex '(?<=a)b'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = run_command(run + "-p x --regex a --grammar /dev/null");
  EXPECT_NE(r.exit_code, 0);
  // A budget too small for the constraint is an error, not a silently invalid output.
  r = run_command(run + "-p x -n 2 --regex 'abcdefghijklmnopqrstuvwxyz'");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("budget"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace slm::test
