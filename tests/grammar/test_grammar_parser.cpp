// GBNF parsing and compile-time checks: every shared grammar compiles; syntax and
// semantic errors are slm::Error with the line and column of the problem; size limits
// fail cleanly instead of exhausting memory.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "grammar/grammar.h"
#include "slm/error.h"
#include "tests/support/test_data.h"

namespace slm::grammar {
namespace {

std::string compile_error(const std::string& text, const std::string& root = "root") {
  try {
    compile_gbnf(text, root);
  } catch (const Error& e) {
    return e.what();
  }
  return "(compiled)";
}

TEST(GbnfParser, EverySharedGrammarCompiles) {
  size_t count = 0;
  for (const auto& e : std::filesystem::directory_iterator(test::shared_path("gbnf"))) {
    if (e.path().extension() != ".gbnf") continue;
    SCOPED_TRACE(e.path().filename().string());
    const auto g = compile_gbnf(test::read_file(e.path().string()));
    EXPECT_GT(g->node_count(), 1u);
    ++count;
  }
  EXPECT_EQ(count, 8u);
}

TEST(GbnfParser, AcceptsTheSyntaxVariants) {
  const char* ok[] = {
      "root ::= \"a\"",
      "root ::= \"a\"\r\n",
      "root ::= (\n  \"a\" # comment\n  | \"b\"\n)\n",
      "root ::= \"a\" |\n \"b\"",
      "root ::=\n  x\nx ::= [a-z]{2,5} [0-9]{3} [^\\n]{1,} \"q\"{0,2}",
      "root ::= | \"x\"",
      "root ::= . \"\\x41\\u00e9\\U0001F600\\t\\\\\\\"\"",
      "root ::= [\\]\\[\\-^]",
      "camelCase_1 ::= \"a\"\nroot ::= camelCase_1",
      "root ::= \"é\" [ぁ-ゟ]",
      "root ::= ( \"a\" ){ 2 , 3 }",
  };
  for (const char* text : ok) EXPECT_EQ(compile_error(text), "(compiled)") << text;
}

TEST(GbnfParser, SyntaxErrorsGiveLineAndColumn) {
  EXPECT_EQ(compile_error("root ::= \"a\"\nfoo bar"), "gbnf line 2 col 5: expecting '::=' after rule name 'foo'");
  EXPECT_EQ(compile_error("root ::= \"abc"), "gbnf line 1 col 10: unterminated string literal");
  EXPECT_EQ(compile_error("root ::= [a-"), "gbnf line 1 col 10: unterminated character class");
  EXPECT_EQ(compile_error("root ::= (\"a\""), "gbnf line 1 col 14: expecting ')'");
  EXPECT_EQ(compile_error("root ::= \"\\q\""), "gbnf line 1 col 11: unknown escape '\\q'");
  EXPECT_EQ(compile_error("root ::= * \"a\""), "gbnf line 1 col 10: expecting an item before '*'");
  EXPECT_EQ(compile_error("root ::= [z-a]"), "gbnf line 1 col 11: character range with its end before its start");
  EXPECT_EQ(compile_error("root ::= \"a\"{3,2}"), "gbnf line 1 col 13: repetition {m,n} with n < m");
  EXPECT_EQ(compile_error("root ::= \"a\" )"), "gbnf line 1 col 14: unexpected ')'");
  EXPECT_EQ(compile_error("root ::= \"\\x4\""), "gbnf line 1 col 11: expecting 2 hex digits");
  EXPECT_EQ(compile_error("root ::= <think>"), "gbnf line 1 col 10: token references (<...>) are not supported");
  EXPECT_EQ(compile_error("root ::= \"a\"\nroot ::= \"b\""), "gbnf line 2 col 1: rule 'root' is defined twice");
  EXPECT_EQ(compile_error(std::string("root ::= \"\xff\"")), "gbnf line 1 col 11: invalid UTF-8");
}

TEST(GbnfParser, SemanticErrors) {
  EXPECT_EQ(compile_error("root ::= \"a\" thing"), "gbnf line 1 col 14: undefined rule 'thing'");
  EXPECT_EQ(compile_error("start ::= \"a\""), "gbnf line 1 col 1: missing root rule 'root'");
  EXPECT_EQ(compile_error("start ::= \"a\"", "start"), "(compiled)");
  EXPECT_EQ(compile_error("root ::= root \"a\" | \"b\""),
            "gbnf line 1 col 1: left recursion: rule 'root' can call itself without consuming input (root -> root)");
  EXPECT_EQ(compile_error("root ::= a\na ::= b? \"x\" | \"y\"\nb ::= \"z\"? a"),
            "gbnf line 2 col 1: left recursion: rule 'a' can call itself without consuming input (a -> b -> a)");
  EXPECT_EQ(compile_error("root ::= \"a\" root"), "gbnf line 1 col 1: rule 'root' can never finish (it matches no finite text)");
  EXPECT_EQ(compile_error("root ::= [^\\x00-\\U0010FFFF]"),
            "gbnf line 1 col 1: rule 'root' can never finish (it matches no finite text)");
  // Right recursion and recursion after input are fine.
  EXPECT_EQ(compile_error("root ::= \"(\" root \")\" | \"x\""), "(compiled)");
  EXPECT_EQ(compile_error("root ::= \"a\" root | \"\""), "(compiled)");
}

TEST(GbnfParser, EmptyClassesLeaveNoDeadEnds) {
  // After "x", "a" would lead into a class that matches nothing: only "b" is offered.
  const auto g = compile_gbnf("root ::= \"x\" (\"a\" [^\\x00-\\U0010FFFF] | \"b\")");
  ASSERT_EQ(g->byte_edges(g->root_start()).size(), 1u);
  const uint32_t after_x = g->byte_edges(g->root_start())[0].to;
  ASSERT_EQ(g->byte_edges(after_x).size(), 1u);
  EXPECT_EQ(g->byte_edges(after_x)[0].lo, 'b');
}

TEST(GbnfParser, SizeLimitsFailCleanly) {
  EXPECT_EQ(compile_error("root ::= \"a\"{100001}"), "gbnf line 1 col 14: repetition count is too large (at most 100000)");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(compile_error("root ::= ((\"a\"{1000}){1000}){1000}").find("grammar too large"), std::string::npos);
  EXPECT_NE(compile_error("root ::= (\"a\"?){100000}").find("grammar too large"), std::string::npos);
  EXPECT_NE(compile_error("root ::= " + std::string(300, '(') + "\"a\"" + std::string(300, ')')).find("nested too deeply"),
            std::string::npos);
  EXPECT_EQ(compile_error(std::string("root ::= \"a\"").append(9, '?')), "gbnf line 1 col 21: too many repetition operators on one item");
  std::string chain = "root ::= r0\n";  // defined deepest first: the worst order for a naive fixpoint
  for (int i = 20000; i > 0; --i) {
    chain.append("r").append(std::to_string(i - 1)).append(" ::= r").append(std::to_string(i)).append(" | \"x\"\n");
  }
  chain += "r20000 ::= \"y\"\n";
  EXPECT_EQ(compile_error(chain), "(compiled)");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
  EXPECT_EQ(compile_error("root ::= \"a\"{0,20000}"), "(compiled)");
}

}  // namespace
}  // namespace slm::grammar
