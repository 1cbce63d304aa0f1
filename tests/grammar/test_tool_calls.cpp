// Tool-call grammars from function definitions, checked on whole outputs: the calls of
// each format, and tool_choice auto's plain answers next to them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/tool_calls.h"
#include "tests/grammar/json_schema_fixtures.h"

namespace slm::grammar::test {
namespace {

const char* kTools = R"([{"type": "function", "function": {"name": "get_weather", "parameters": {
  "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])";

std::shared_ptr<const Grammar> tool_grammar(ToolFormat format, const std::string& choice, bool parallel) {
  ToolCallOptions o;
  o.format = format;
  o.tool_choice = choice;
  o.parallel = parallel;
  const ToolGrammar g = tool_calls_to_gbnf(kTools, o);
  return compile_gbnf(g.gbnf, g.root);
}

const std::string kCall = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";

TEST(ToolCalls, HermesAutoWritesFreelyUntilTheModelOpensACall) {
  const auto g = tool_grammar(ToolFormat::kHermes, "auto", true);
  for (const std::string& ok : std::vector<std::string>{"It is sunny.", "<b>1 < 2</b> and <tool_cal> or <tool_call", kCall,
                                                        "Let me look that up.\n" + kCall, "<<tool_call" + kCall.substr(10),
                                                        kCall + "\n" + kCall}) {
    EXPECT_TRUE(accepts(g, ok)) << ok;
  }
  const std::string bad_call = "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
  for (const std::string& bad : std::vector<std::string>{"I would write <tool_call> here", "x <tool_call>", bad_call,
                                                         "ok " + bad_call, kCall + " and some text", "<<tool_call> not a call"}) {
    EXPECT_FALSE(accepts(g, bad)) << bad;
  }
}

TEST(ToolCalls, HermesAutoWithoutParallelCallsTakesOne) {
  const auto g = tool_grammar(ToolFormat::kHermes, "auto", false);
  EXPECT_TRUE(accepts(g, "Checking.\n" + kCall));
  EXPECT_FALSE(accepts(g, kCall + "\n" + kCall));
}

TEST(ToolCalls, HermesRequiredNeedsACallFirst) {
  const auto g = tool_grammar(ToolFormat::kHermes, "required", true);
  EXPECT_TRUE(accepts(g, kCall));
  EXPECT_FALSE(accepts(g, "Let me look that up.\n" + kCall));
  EXPECT_FALSE(accepts(g, "It is sunny."));
}

TEST(ToolCalls, JsonAutoAnswersMustNotStartLikeACall) {
  const auto g = tool_grammar(ToolFormat::kJson, "auto", false);
  EXPECT_TRUE(accepts(g, R"({"name": "get_weather", "arguments": {"city": "Paris"}})"));
  EXPECT_TRUE(accepts(g, "It is sunny {maybe}."));
  EXPECT_FALSE(accepts(g, "{It is sunny}"));
}

}  // namespace
}  // namespace slm::grammar::test
