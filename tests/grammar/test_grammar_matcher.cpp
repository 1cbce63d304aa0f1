// The byte-level matcher on hand-written texts for each shared grammar, plus rollback,
// termination and forced bytes. Uses a 257-token byte vocabulary (no model needed).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grammar/matcher.h"
#include "grammar/stack_pool.h"
#include "slm/error.h"
#include "tests/grammar/grammar_fixtures.h"

namespace slm::grammar {
namespace {

using test::byte_vocabulary;
using test::shared_grammar;

// Whether `text` is a complete sentence of the grammar, fed in one accept_bytes call and
// also byte by byte (both must agree).
bool matches(const std::shared_ptr<const Grammar>& g, const std::string& text) {
  Matcher whole(g, byte_vocabulary());
  const bool at_once = whole.accept_bytes(text) && whole.is_complete();
  Matcher bytewise(g, byte_vocabulary());
  bool ok = true;
  for (const char c : text) ok = ok && bytewise.accept_bytes(std::string(1, c));
  EXPECT_EQ(at_once, ok && bytewise.is_complete()) << text;
  return at_once;
}

void expect_language(const std::string& grammar, const std::vector<std::string>& accept,
                     const std::vector<std::string>& reject) {
  const auto g = shared_grammar(grammar);
  for (const auto& t : accept) EXPECT_TRUE(matches(g, t)) << grammar << " should accept: " << t;
  for (const auto& t : reject) EXPECT_FALSE(matches(g, t)) << grammar << " should reject: " << t;
}

TEST(GrammarMatcher, Json) {
  expect_language("json",
                  {"{}", "{\"a\": 1}", "{\"a\":[1, 2.5, -3e7, true, false, null]}",
                   "{\"k\": {\"n\": {\"deep\": [[], [{}]]}}, \"s\": \"x\\n\\u00e9\\\"q\"}",
                   "{\n  \"a\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"\n}", "{ }", "{\"a\": 0}", "{\"x\": -0.5E+3}"},
                  {"", "[]", "{", "{\"a\"}", "{\"a\": }", "{\"a\": 01}", "{\"a\": tru}", "{'a': 1}",
                   "{\"a\": \"\x01\"}", "{\"a\": \"\\x\"}", "{\"a\": 1,}", "{} {}", "{\"a\": \"\xff\"}",
                   "{\"a\": \"\xc3\"}", "{\"a\": \"\xed\xa0\x80\"}", "{\"a\": \"\xe0\x80\x80\"}"});
}

// Alternatives beginning with literal bytes share those bytes (automaton_builder.cpp): an
// enum of more strings than kMaxStacks is one parser stack, not one per value.
TEST(GrammarMatcher, LongEnumOfStrings) {
  std::string gbnf = "root ::= \"\\\"\" (";
  for (int i = 0; i < 5000; ++i) gbnf += (i ? " | \"v" : "\"v") + std::to_string(i) + "\"";
  gbnf += ") \"\\\"\"";
  const auto g = compile_gbnf(gbnf);
  for (const std::string ok : {"\"v0\"", "\"v4999\"", "\"v123\"", "\"v12\""}) EXPECT_TRUE(matches(g, ok)) << ok;
  for (const std::string bad : {"\"v\"", "\"v5000\"", "\"v01\"", "\"w1\""}) EXPECT_FALSE(matches(g, bad)) << bad;
}

TEST(GrammarMatcher, Arithmetic) {
  expect_language("arithmetic", {"1+2= 3\n", "(a *b) /c= x_1\n", "x=1\ny= 2\n"},
                  {"1+2\n", "(a * b)=1\n", "1+=2\n", "=3\n", "A=1\n", "1=2"});
}

TEST(GrammarMatcher, List) {
  expect_language("list", {"- a\n", "- one\n- two \xe2\x82\xac\n"},
                  {"", "- \n", "-a\n", "- a", "- a\r\n", "- a\xe2\x80\xa8\n", "- a\xc2\x85\n"});
}

TEST(GrammarMatcher, Chess) {
  expect_language("chess", {"1. e4 e5\n2. Nf3 Nc6\n", "1. d4 d5\n2. c4 dxc4\n10. O-O O-O-O+\n"},
                  {"1. e4 e5\n", "1. e9 e5\n2. a3 a4\n", "1. e4 e5\n0. a3 a4\n", "2. e4 e5\n2. a3 a4\n"});
}

TEST(GrammarMatcher, JapaneseMultiByte) {
  expect_language("japanese", {"こんにちは", "カタカナ 漢字\nです、"},
                  {"", "hello", "こんにちは ", "\xe3\x81", "こ\xe3\x81", "\xef\xbc\x81"});
}

TEST(GrammarMatcher, EnglishAndC) {
  expect_language("english", {"Hello, world!", "a b\tc"}, {"", "a  b", "é"});
  expect_language("c", {"int main(){return 0;}", "int f(int x){x = x+1;if(x<2){return x;}}"},
                  {"int main(){return 0}", "main(){}"});
}

TEST(GrammarMatcher, RejectedBytesLeaveTheStateUnchanged) {
  Matcher m(shared_grammar("json"), byte_vocabulary());
  ASSERT_TRUE(m.accept_bytes("{\"a\""));
  EXPECT_FALSE(m.accept_bytes(": x"));
  EXPECT_EQ(m.history_size(), 1u);
  EXPECT_TRUE(m.accept_bytes(": 1}"));
  EXPECT_TRUE(m.is_complete());
}

TEST(GrammarMatcher, RollbackRestoresEarlierStates) {
  Matcher m(shared_grammar("json"), byte_vocabulary());
  const std::string text = "{\"key\": [1, 2, {\"x\": null}]}";
  for (const char c : text) ASSERT_TRUE(m.accept_token(static_cast<unsigned char>(c)));
  ASSERT_TRUE(m.is_complete());
  m.rollback(5);
  EXPECT_FALSE(m.is_complete());
  EXPECT_FALSE(m.accept_bytes("}"));
  EXPECT_TRUE(m.accept_bytes("ll}]}"));
  EXPECT_TRUE(m.is_complete());
  m.rollback(1);
  EXPECT_TRUE(m.accept_bytes("ll}, \"y\"]}"));
  EXPECT_TRUE(m.is_complete());
  EXPECT_THROW(m.rollback(text.size()), slm::Error);
  m.reset();
  EXPECT_EQ(m.history_size(), 0u);
  EXPECT_TRUE(m.accept_bytes(text));
}

TEST(GrammarMatcher, EogOnlyWhenCompleteThenTerminated) {
  Matcher m(shared_grammar("json"), byte_vocabulary());
  EXPECT_FALSE(m.accept_token(test::kByteVocabEog));
  ASSERT_TRUE(m.accept_bytes("{}"));
  ASSERT_TRUE(m.is_complete());
  EXPECT_TRUE(m.accept_bytes(" "));  // trailing ws is still allowed
  EXPECT_TRUE(m.accept_token(test::kByteVocabEog));
  EXPECT_TRUE(m.is_terminated());
  EXPECT_FALSE(m.accept_bytes(" "));
  EXPECT_FALSE(m.accept_token(test::kByteVocabEog));
  m.rollback(1);
  EXPECT_FALSE(m.is_terminated());
  EXPECT_FALSE(m.accept_token(-1));
  EXPECT_FALSE(m.accept_token(100000));
}

TEST(GrammarMatcher, ForcedBytes) {
  const auto g = compile_gbnf("root ::= \"{\\\"name\\\": \\\"\" [a-z]+ \"\\\"}\" | \"[\" [0-9] \"]\"");
  Matcher m(g, byte_vocabulary());
  EXPECT_EQ(m.forced_bytes(), "");
  ASSERT_TRUE(m.accept_bytes("{"));
  EXPECT_EQ(m.forced_bytes(), "\"name\": \"");
  ASSERT_TRUE(m.accept_bytes("\"name\": \"ab"));
  EXPECT_EQ(m.forced_bytes(), "");
  ASSERT_TRUE(m.accept_bytes("\""));
  EXPECT_EQ(m.forced_bytes(), "}");
  ASSERT_TRUE(m.accept_bytes("}"));
  EXPECT_EQ(m.forced_bytes(), "");  // complete
  Matcher utf(compile_gbnf("root ::= \"\xc3\xa9\" [\xe3\x81\x81-\xe3\x81\x83]"), byte_vocabulary());
  EXPECT_EQ(utf.forced_bytes(), "\xc3\xa9\xe3\x81");
}

TEST(GrammarMatcher, NullableLoopsAndRepetitionCounts) {
  const auto g = compile_gbnf("root ::= (ws | \"a\")* \"b\"{2,3}\nws ::= \" \"*");
  for (const std::string ok : {"bb", "  a a bbb", "aaabb"}) EXPECT_TRUE(matches(g, ok)) << ok;
  for (const std::string bad : {"b", "bbbb", "abab"}) EXPECT_FALSE(matches(g, bad)) << bad;
  const auto big = compile_gbnf("root ::= [0-9]{0,5000} \"x\"");
  EXPECT_TRUE(matches(big, std::string(5000, '7') + "x"));
  EXPECT_FALSE(matches(big, std::string(5001, '7') + "x"));
}

// A call that ends its rule is a tail call: the callee returns to the caller's caller,
// so right recursion and chains of such rules keep stacks as deep as they started.
TEST(GrammarMatcher, TailCallsKeepStacksFlat) {
  const auto g = compile_gbnf("root ::= \"[\" item \"]\"\nitem ::= \"x\" item | \"y\" more | \"\"\nmore ::= [a-c] item");
  StackPool pool;
  Stepper stepper(*g);
  StackSet cur = stepper.initial(pool);
  StackSet next;
  std::string text = "[";
  for (int i = 0; i < 300; ++i) text += i % 3 ? "x" : "yb";
  for (const char c : text) {
    stepper.step(pool, cur, static_cast<uint8_t>(c), next);
    ASSERT_FALSE(next.empty()) << c;
    cur.swap(next);
    for (uint32_t f : cur) {
      size_t frames = 0;
      for (; f != kEmptyStack; f = pool.parent(f)) ++frames;
      EXPECT_LE(frames, 2u);  // inside item (or more), over the return into root
    }
  }
  EXPECT_TRUE(matches(g, text + "]"));
  EXPECT_FALSE(matches(g, text + "y]"));
}

TEST(GrammarMatcher, ExponentiallyAmbiguousGrammarFailsCleanly) {
  Matcher m(compile_gbnf("root ::= (\"x\" root*)+"), byte_vocabulary());
  size_t taken = 0;
  try {
    while (taken < 100 && m.accept_bytes("x")) ++taken;
    FAIL() << "no error after " << taken << " bytes";
  } catch (const slm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("grammar too ambiguous"), std::string::npos) << e.what();
  }
  EXPECT_GT(taken, 5u);
  EXPECT_EQ(m.history_size(), taken);  // the failed step left the state as it was
  m.rollback(taken);
  EXPECT_TRUE(m.accept_bytes("xx"));
}

}  // namespace
}  // namespace slm::grammar
