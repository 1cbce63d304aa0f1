// The shortcuts of the mask-cache trie walk: UTF-8 labels, subtree summaries, the safe
// labels of a stack set, and whole entries (which skip subtrees through them) compared
// with classifying every token of Gemma 3's vocabulary on its own, on grammars where the
// shortcuts fire: strings with escapes and UTF-8, strict multi-byte ranges, whitespace,
// enums, numbers. The Gemma parts skip (or fail with SLM_REQUIRE_MODELS=1) without the
// model file.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "grammar/byte_labels.h"
#include "grammar/json_schema.h"
#include "grammar/mask_cache.h"
#include "grammar/set_automaton.h"
#include "grammar/stack_pool.h"
#include "grammar/tool_calls.h"
#include "grammar/vocabulary.h"
#include "tests/grammar/grammar_fixtures.h"

namespace slm::grammar {
namespace {

using test::gemma_vocabulary;

// Labels of `bytes` read from a character start, and the position after them.
std::vector<uint16_t> labels_of(std::string_view bytes, uint8_t* after = nullptr) {
  std::vector<uint16_t> out;
  uint8_t pos = kCharStart;
  for (const char c : bytes) {
    const Utf8Step s = utf8_step(pos, static_cast<uint8_t>(c));
    out.push_back(s.label);
    pos = s.after;
  }
  if (after) *after = pos;
  return out;
}

TEST(ByteLabels, FollowUtf8Characters) {
  uint8_t after = 0;
  const auto e_acute = labels_of("\xC3\xA9", &after);  // é
  EXPECT_EQ(after, kCharStart);
  EXPECT_EQ(e_acute[0], 0xC3);
  EXPECT_NE(e_acute[1], 0xA9);  // a continuation byte is labelled apart from a start byte
  EXPECT_NE(e_acute[1], kMisfitLabel);
  // The second byte after E0 and after E3 are different labels (E0 narrows its range).
  EXPECT_NE(labels_of("\xE0\xA4\x85")[1], labels_of("\xE3\xA4\x85")[1]);
  EXPECT_EQ(labels_of("\xE3\x81\x82" "a")[3], 'a');
  // Bytes that do not fit: a stray continuation, a character cut short by ASCII.
  EXPECT_EQ(labels_of("\x80")[0], kMisfitLabel);
  EXPECT_EQ(labels_of("\xE3" "a")[1], kMisfitLabel);
  EXPECT_EQ(labels_of("\xE0\x80")[1], kMisfitLabel);  // overlong form
}

TEST(ByteLabels, SubtreeSummariesHoldTheLabelsBelow) {
  // Enough tokens under "ab" for a summary; one of them with a multi-byte character.
  std::vector<std::string> tokens{"x"};
  for (char c = 'a'; c <= 'z'; ++c) tokens.push_back(std::string("ab") + c);
  tokens.push_back("ab\xC3\xA9");
  const Vocabulary v(tokens, {});
  const TokenTrie& t = v.trie();
  uint32_t ab = 0;
  for (uint32_t i = 1; i < t.node_count(); ++i) {
    if (t.depth[i] == 2 && t.byte[i] == 'b') ab = i;
  }
  ASSERT_NE(ab, 0u);
  ASSERT_NE(t.summary_of[ab], kNoSummary);
  const LabelSet& below = t.summaries[t.summary_of[ab]];
  LabelSet want;
  for (char c = 'a'; c <= 'z'; ++c) want.add(static_cast<uint16_t>(c));
  for (const uint16_t l : labels_of("\xC3\xA9")) want.add(l);
  EXPECT_TRUE(below.includes(want));
  EXPECT_TRUE(want.includes(below));
  for (uint32_t i = 0; i < t.node_count(); ++i) {
    if (t.subtree_end[i] - i <= kSummaryMinNodes) {
      EXPECT_EQ(t.summary_of[i], kNoSummary) << i;
    }
  }
}

// The stack set after `prefix` from the start of `g`, in `pool`.
StackSet stacks_after(const Grammar& g, StackPool& pool, std::string_view prefix) {
  Stepper stepper(g);
  StackSet cur = stepper.initial(pool);
  StackSet next;
  for (const char c : prefix) {
    stepper.step(pool, cur, static_cast<uint8_t>(c), next);
    cur.swap(next);
  }
  return cur;
}

// Escapes are dropped too: after the backslash most characters die, and the search
// blames the backslash that led there rather than the characters.
TEST(SafeLabels, StringBodyKeepsCharactersButNotTheQuoteOrEscapes) {
  const auto g = compile_gbnf(R"(root ::= "\"" ([^"\\\x00-\x1F] | "\\" ["\\/bfnrt])* "\"" ",")");
  StackPool pool;
  const StackSet body = stacks_after(*g, pool, "\"");
  SetAutomaton sets(*g, pool);
  const uint32_t start = sets.intern(body);
  const LabelSet& safe = *sets.safe_labels(start, kCharStart).labels;
  for (const std::string_view ok : {"a", " ", "~", "\xC3\xA9", "\xE3\x81\x82", "\xF0\x9F\x98\x80"}) {
    for (const uint16_t l : labels_of(ok)) EXPECT_TRUE(safe.contains(l)) << ok;
  }
  for (const std::string_view bad : {"\"", "\\", "\x01", "\x80"}) EXPECT_FALSE(safe.contains(labels_of(bad)[0])) << bad;
}

// A bounded repeat of characters: the labels hold for the characters left, and one more
// dies. Far from the bound the proof reaches the longest token (here 31 characters),
// without saying what comes after. (With one character left it is not found.)
TEST(SafeLabels, BoundedRepeatCountsTheCharactersLeft) {
  const auto g = compile_gbnf(R"(root ::= "\"" ([^"\\\x00-\x1F] | "\\" ["\\/bfnrt]){0,40} "\"" ",")");
  for (const size_t taken : {5u, 20u, 30u, 38u}) {
    StackPool pool;
    std::string prefix(taken + 1, 'x');
    prefix[0] = '"';
    const StackSet body = stacks_after(*g, pool, prefix);
    SetAutomaton sets(*g, pool, 31);
    const SafeLabels safe = sets.safe_labels(sets.intern(body), kCharStart);
    const size_t left = 40 - taken;
    EXPECT_EQ(safe.starts, std::min<size_t>(left, 31)) << taken;
    EXPECT_EQ(safe.dies_after, left <= 31) << taken;
    for (const std::string_view ok : {"a", " ", "\xC3\xA9", "\xF0\x9F\x98\x80"}) {
      for (const uint16_t l : labels_of(ok)) EXPECT_TRUE(safe.labels->contains(l)) << ok;
    }
    for (const std::string_view bad : {"\"", "\\", "\x01"}) EXPECT_FALSE(safe.labels->contains(labels_of(bad)[0])) << bad;
  }
}

// An object with declared names, next to undeclared keys that must differ from them (a
// trie of the names, json_schema_objects.cpp). Where a key begins every key character
// is safe forever: each one either follows a name or leaves the trie. The search proves
// it at the root of the trie although that holds a set per trie node.
const char* kObjectSchema = R"({"type": "object", "properties": {
  "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
  "spec": {"type": "object"}, "status": {"type": "string"}, "replicas": {"type": "integer"},
  "selector": {"type": "string"}, "template": {"type": "string"}, "minReadySeconds": {"type": "integer"},
  "paused": {"type": "boolean"}, "progressDeadlineSeconds": {"type": "integer"},
  "revisionHistoryLimit": {"type": "integer"}, "strategy": {"type": "string"}}})";

TEST(SafeLabels, KeyNextToDeclaredNamesKeepsEveryKeyCharacter) {
  const auto g = compile_gbnf(json_schema_text_to_gbnf(kObjectSchema));
  StackPool pool;
  const StackSet key = stacks_after(*g, pool, "{\"");
  SetAutomaton sets(*g, pool);
  const LabelSet& safe = *sets.safe_labels(sets.intern(key), kCharStart).labels;
  for (const std::string_view ok : {"a", "k", "s", "Z", "0", " ", "_", "\xC3\xA9", "\xE3\x81\x82"}) {
    for (const uint16_t l : labels_of(ok)) EXPECT_TRUE(safe.contains(l)) << ok;
  }
  for (const std::string_view bad : {"\"", "\\", "\x01"}) EXPECT_FALSE(safe.contains(labels_of(bad)[0])) << bad;
}

// Every token classified on its own, the way the cache defines it (mask_cache.h).
MaskEntry classify_each_token(const Grammar& g, const Vocabulary& v, const StackKey& key) {
  StackPool pool;
  uint32_t frame = key.whole_stack ? kEmptyStack : pool.push(kContextNode, kEmptyStack);
  for (uint32_t i = key.depth; i-- > 0;) frame = pool.push(key.nodes[i], frame);
  Stepper stepper(g);
  auto exited = [&](const StackSet& s) {
    return std::any_of(s.begin(), s.end(), [&](uint32_t f) { return f != kEmptyStack && pool.node(f) == kContextNode; });
  };
  auto live = [&](const StackSet& s) {
    return std::any_of(s.begin(), s.end(), [&](uint32_t f) { return f != kEmptyStack && pool.node(f) != kContextNode; });
  };
  MaskEntry e;
  e.accepted.assign((v.size() + 63) / 64, 0);
  const size_t base = pool.size();
  for (TokenId t = 0; t < static_cast<TokenId>(v.size()); ++t) {
    const std::string_view bytes = v.bytes(t);
    if (bytes.empty()) continue;
    StackSet cur{frame}, next;
    bool left = false;
    size_t taken = 0;
    while (taken < bytes.size() && live(cur)) {
      left = left || exited(cur);
      stepper.step(pool, cur, static_cast<uint8_t>(bytes[taken++]), next);
      cur.swap(next);
    }
    if (taken < bytes.size()) left = left || exited(cur);
    if (taken == bytes.size() && !cur.empty()) {
      e.accepted[static_cast<size_t>(t) >> 6] |= uint64_t{1} << (t & 63);
    } else if (left) {
      e.context_dependent.push_back(t);
    }
    pool.truncate(base);
  }
  return e;
}

// For each stack after each prefix, keys of depth 1..3 over an unknown rest and the whole
// stack: the cache's walk must classify exactly like the token-by-token check.
void expect_walk_matches(const std::string& gbnf, const std::vector<std::string>& prefixes) {
  const auto vocab = gemma_vocabulary();
  if (!vocab) return;
  const auto g = compile_gbnf(gbnf);
  size_t compared = 0;
  for (const std::string& prefix : prefixes) {
    StackPool pool;
    for (const uint32_t top : stacks_after(*g, pool, prefix)) {
      StackKey key;
      for (uint32_t f = top; f != kEmptyStack && key.depth < 3; f = pool.parent(f)) {
        key.nodes[key.depth++] = pool.node(f);
        for (const bool whole : {false, true}) {
          if (whole && pool.parent(f) != kEmptyStack) continue;
          key.whole_stack = whole;
          MaskEntry walked = compute_mask_entry(*g, *vocab, key);
          const MaskEntry want = classify_each_token(*g, *vocab, key);
          std::sort(walked.context_dependent.begin(), walked.context_dependent.end());
          const std::string where = "prefix '" + prefix + "' depth " + std::to_string(key.depth) + (whole ? " whole" : "");
          EXPECT_TRUE(walked.accepted == want.accepted) << where;
          EXPECT_TRUE(walked.context_dependent == want.context_dependent) << where;
          ++compared;
        }
      }
    }
  }
  EXPECT_GE(compared, prefixes.size());
}

TEST(MaskWalk, JsonStringsWithEscapesAndUtf8) {
  expect_walk_matches(R"(root ::= "[" ws str (ws "," ws str)* ws "]"
str ::= "\"" ([^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4}))* "\""
ws ::= [ \t\n]{0,4})",
                      {"", "[", "[\"", "[\"ab", "[\"a\\", "[\"\xE3\x81", "[\"x\", "});
}

// Strings of at most 12 and of 3 to 40 characters: keys inside them bound the tokens'
// characters (by the vocabulary's bitsets at the root of the walk, by subtree heights
// below it).
TEST(MaskWalk, BoundedStrings) {
  expect_walk_matches(R"(root ::= "[" str ws "," ws long "]"
str ::= "\"" ([^"\\\x00-\x1F] | "\\" ["\\/bfnrt]){0,12} "\""
long ::= "\"" [a-z0-9_ ]{3,40} "\""
ws ::= [ \t\n]{0,4})",
                      {"[", "[\"", "[\"abcd", "[\"abcdefghij", "[\"abcdefghijkl", "[\"\xE3\x81", "[\"x\", \"",
                       "[\"x\", \"ab", "[\"x\", \"abcdefghijklmnopqrstuvwxyz", "[\"x\",\"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"});
}

// A pattern's narrow class with length bounds (a key, an id of 30 printable characters,
// letters with a non-ASCII one): subtrees whose other bytes die at once are skipped.
TEST(MaskWalk, NarrowClassesWithLengthBounds) {
  expect_walk_matches(R"(root ::= "{" key ":" id "," word "}"
key ::= "\"" [a-zA-Z0-9_.]{1,12} "\""
id ::= "\"" [ -!#-\[\]-~]{30} "\""
word ::= "\"" [a-zé]{2,20} "\"")",
                      {"{\"", "{\"ab", "{\"abcdefghijk", "{\"k\":\"", "{\"k\":\"0123456789012345678901234567",
                       "{\"k\":\"012345678901234567890123456789\",\"", "{\"k\":\"012345678901234567890123456789\",\"abc"});
}

TEST(MaskWalk, StrictMultiByteRangesAndWhitespace) {
  // Cyrillic and Devanagari (E0 A4..A5 xx): classes whose UTF-8 paths are narrower than
  // "any continuation byte".
  expect_walk_matches(R"(root ::= [ \n]* "<" [а-яА-Яऀ-ॿ a-z]* ">" [ \n]*)", {"", " ", "<", "<д", "<x>"});
}

TEST(MaskWalk, ObjectKeys) {
  expect_walk_matches(json_schema_text_to_gbnf(kObjectSchema),
                      {"{\"", "{\"s", "{\"status", "{\"status\"", "{\"kind\": \"x\", \"", "{\"zz"});
}

// tool_choice auto for hermes: free text that must not hold "<tool_call>", which opens a call.
TEST(MaskWalk, TextUntilACallOpener) {
  ToolCallOptions o;
  o.format = ToolFormat::kHermes;
  const ToolGrammar t = tool_calls_to_gbnf(R"([{"name": "f", "parameters": {"type": "object"}}])", o);
  expect_walk_matches("root ::= " + t.root + "\n" + t.gbnf, {"", "Hi <", "Hi <tool_", "<tool_call>\n"});
}

TEST(MaskWalk, EnumsAndNumbers) {
  expect_walk_matches(R"(root ::= ("\"red\"" | "\"green\"" | "\"blue\"") " "? num
num ::= "-"? ([0-9] | [1-9] [0-9]+) ("." [0-9]+)? ([eE] [-+]? [0-9]+)?)",
                      {"", "\"", "\"gr", "\"red\" ", "\"red\"-1", "\"red\"12.5e"});
}

// Ranges of trie positions flipped a block at a time where whole subtrees fit (a
// subtree's own range, one from its start to past its end, one from inside it) must
// set the same bits as flipping token by token.
TEST(TokenTrie, FlipTokensMatchesTokenByToken) {
  const auto vocab = gemma_vocabulary();
  if (!vocab) return;
  const TokenTrie& t = vocab->trie();
  ASSERT_FALSE(t.blocks.empty());
  const auto total = static_cast<uint32_t>(t.sorted_tokens.size());
  std::vector<std::pair<uint32_t, uint32_t>> ranges{{0, total}, {1, total - 1}};
  for (size_t k = 0; k < t.blocks.size(); k += 7) {
    const TokenTrie::Block b = t.blocks[k];
    ranges.insert(ranges.end(), {{b.begin, b.end}, {b.begin, b.end - 1}, {b.begin + 1, b.end}, {b.begin, std::min(total, b.end + 5000)}});
  }
  for (const auto& [from, to] : ranges) {
    std::vector<uint64_t> want(t.token_bits.size(), 0), got(t.token_bits.size(), 0);
    for (uint32_t k = from; k < to; ++k) want[static_cast<size_t>(t.sorted_tokens[k]) >> 6] ^= uint64_t{1} << (t.sorted_tokens[k] & 63);
    t.flip_tokens(got, from, to);
    EXPECT_TRUE(got == want) << from << ".." << to;
  }
}

// Nodes taking many bytes (where mask entries are shared between grammars, mask_entry.h).
std::vector<uint32_t> wide_nodes(const Grammar& g) {
  std::vector<uint32_t> out;
  for (uint32_t n = 0; n < g.node_count(); ++n) {
    uint32_t bytes = 0;
    for (const ByteEdge& e : g.byte_edges(n)) bytes += e.hi - e.lo + 1u;
    if (bytes >= kMinSharedBytes) out.push_back(n);
  }
  return out;
}

// Two grammars with the same string rule in different places share the entries of its
// keys (the same object), and they are what a walk of each grammar gives; a grammar whose
// string takes one byte more (the same number of byte ranges) gets entries of its own.
TEST(MaskWalk, EntriesSharedBetweenGrammarsWithTheSamePart) {
  const auto vocab = gemma_vocabulary();
  if (!vocab) return;
  const std::string str = R"(str ::= "\"" [^"\\\x00-\x1F]* "\"")";
  const auto a = compile_gbnf("root ::= \"[\" str \"]\"\n" + str);
  const auto b = compile_gbnf("root ::= \"{\\\"k\\\": \" str \"}\" | \"null\"\n" + str);
  const auto c = compile_gbnf(R"(root ::= "[" str "]"
str ::= "\"" [^"\\\x00-\x1E]* "\"")");
  const std::vector<uint32_t> wide_a = wide_nodes(*a), wide_b = wide_nodes(*b), wide_c = wide_nodes(*c);
  ASSERT_FALSE(wide_a.empty());
  ASSERT_EQ(wide_a.size(), wide_b.size());
  ASSERT_EQ(wide_a.size(), wide_c.size());
  auto key_at = [](uint32_t node) {
    StackKey key;
    key.nodes[0] = node;
    key.depth = 1;
    return key;
  };
  auto expect_walked = [&](const Grammar& g, const MaskEntry& e, const StackKey& key) {
    MaskEntry want = compute_mask_entry(g, *vocab, key);
    EXPECT_TRUE(e.accepted == want.accepted);
    EXPECT_TRUE(e.context_dependent == want.context_dependent);
  };
  for (size_t i = 0; i < wide_a.size(); ++i) {
    const auto from_a = shared_mask_cache(*a, vocab)->get(*a, *vocab, key_at(wide_a[i]));
    const auto from_b = shared_mask_cache(*b, vocab)->get(*b, *vocab, key_at(wide_b[i]));
    const auto from_c = shared_mask_cache(*c, vocab)->get(*c, *vocab, key_at(wide_c[i]));
    EXPECT_EQ(from_a, from_b) << i;
    EXPECT_NE(from_a, from_c) << i;
    expect_walked(*b, *from_b, key_at(wide_b[i]));
    expect_walked(*c, *from_c, key_at(wide_c[i]));
  }
}

}  // namespace
}  // namespace slm::grammar
