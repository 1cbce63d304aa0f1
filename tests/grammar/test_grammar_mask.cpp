// Token masks at Gemma 3's 262k vocabulary: on random walks through several grammars,
// fill_mask must equal a brute-force check of every token (exact: nothing invalid
// allowed, nothing valid refused), EOG tokens appear only in complete states, and no
// reachable state is a dead end. Skips (or fails with SLM_REQUIRE_MODELS=1) without the
// model file.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "slm/error.h"
#include "slm/tokenizer.h"
#include "tests/grammar/grammar_fixtures.h"
#include "tests/support/test_data.h"

namespace slm::grammar {
namespace {

using test::gemma_vocabulary;

bool bit(const std::vector<uint64_t>& bits, size_t i) { return (bits[i >> 6] >> (i & 63)) & 1u; }

std::vector<uint64_t> mask_of(const Matcher& m) {
  std::vector<uint64_t> bits((m.vocabulary().size() + 63) / 64);
  m.fill_mask(bits);
  return bits;
}

// Every token checked on its own against the state; returns the number of allowed tokens.
size_t expect_exact_mask(const Matcher& m, const std::vector<uint64_t>& bits, const std::string& where) {
  const Vocabulary& v = m.vocabulary();
  size_t allowed = 0, wrong = 0;
  for (TokenId t = 0; t < static_cast<TokenId>(v.size()); ++t) {
    const bool want = v.is_eog(t) ? m.is_complete() : !v.bytes(t).empty() && m.can_accept_bytes(v.bytes(t));
    allowed += want ? 1 : 0;
    if (want != bit(bits, static_cast<size_t>(t)) && wrong++ < 5) {
      ADD_FAILURE() << where << ": token " << t << " '" << v.bytes(t) << "' mask says " << !want;
    }
  }
  EXPECT_EQ(wrong, 0u) << where;
  return allowed;
}

// Short, with a non-space byte and no letters.
bool is_structural(std::string_view bytes) {
  if (bytes.size() > 3 || bytes.find_first_not_of(" \t\n") == std::string_view::npos) return false;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || ((u | 0x20u) >= 'a' && (u | 0x20u) <= 'z')) return false;
  }
  return true;
}

// Random walk: each step picks a random allowed token (EOG less often, so walks get
// somewhere; half the time a token without letters, as those move through the grammar's
// structure instead of staying inside one long word or string), checking the mask exactly every `check_every` steps.
void random_walks(const std::shared_ptr<const Grammar>& g, const std::string& grammar, int walks, int steps,
                  int check_every, unsigned seed, bool precompute = false) {
  const auto vocab = gemma_vocabulary();
  if (!vocab) return;
  if (precompute) {
    EXPECT_GT(shared_mask_cache(*g, vocab)->precompute(*g, *vocab), 10u);
  }
  std::mt19937 rng(seed);
  for (int w = 0; w < walks; ++w) {
    Matcher m(g, vocab);
    std::string text;
    for (int s = 0; s < steps && !m.is_terminated(); ++s) {
      const std::vector<uint64_t> bits = mask_of(m);
      const std::string where = grammar + " walk " + std::to_string(w) + " after '" + text + "'";
      if (s % check_every == 0) expect_exact_mask(m, bits, where);
      std::vector<TokenId> allowed, eog, structural;
      for (TokenId t = 0; t < static_cast<TokenId>(vocab->size()); ++t) {
        if (!bit(bits, static_cast<size_t>(t))) continue;
        (vocab->is_eog(t) ? eog : allowed).push_back(t);
        if (!vocab->is_eog(t) && is_structural(vocab->bytes(t))) structural.push_back(t);
      }
      ASSERT_EQ(!eog.empty(), m.is_complete()) << where;
      ASSERT_FALSE(allowed.empty() && eog.empty()) << "dead end: " << where;
      const bool stop = !eog.empty() && (allowed.empty() || rng() % 8 == 0);
      const std::vector<TokenId>& pool = !structural.empty() && rng() % 2 == 0 ? structural : allowed;
      const TokenId pick = stop ? eog[rng() % eog.size()] : pool[rng() % pool.size()];
      ASSERT_TRUE(m.accept_token(pick)) << where << " token " << pick;
      if (!stop) text += vocab->bytes(pick);
    }
  }
}

void random_walks(const std::string& grammar, int walks, int steps, int check_every, unsigned seed,
                  bool precompute = false) {
  random_walks(test::shared_grammar(grammar), grammar, walks, steps, check_every, seed, precompute);
}

TEST(GrammarMask, JsonMatchesBruteForce) { random_walks("json", 3, 60, 3, 1); }
TEST(GrammarMask, JsonAfterPrecomputeMatchesBruteForce) { random_walks("json", 1, 40, 4, 7, true); }
TEST(GrammarMask, ArithmeticMatchesBruteForce) { random_walks("arithmetic", 2, 30, 5, 2); }
TEST(GrammarMask, ChessMatchesBruteForce) { random_walks("chess", 2, 30, 5, 3); }
TEST(GrammarMask, JapaneseMatchesBruteForce) { random_walks("japanese", 2, 20, 5, 4); }
TEST(GrammarMask, CMatchesBruteForce) { random_walks("c", 2, 30, 6, 5); }
TEST(GrammarMask, ListMatchesBruteForce) { random_walks("list", 2, 20, 5, 6); }

// Strings of bounded length: masks count the characters of tokens (SafeLabels), keys of
// a long string's far copies stand for each other (Grammar::equivalent_node), and walks
// of one grammar share their proofs (SafeLabelMemo).
std::shared_ptr<const Grammar> schema_grammar(const std::string& schema) {
  return compile_gbnf(json_schema_text_to_gbnf(schema));
}

TEST(GrammarMask, BoundedStringsMatchBruteForce) {
  const auto g = schema_grammar(R"({"type": "object", "properties": {
      "a": {"type": "string", "minLength": 3, "maxLength": 12},
      "b": {"type": "string", "maxLength": 60},
      "c": {"type": "string", "pattern": "^[a-z0-9_]{2,30}$"}},
      "required": ["a", "b", "c"], "additionalProperties": false})");
  random_walks(g, "bounded strings", 3, 40, 2, 11);
}

// A string entered one prefix at a time, mixing one-, two- and three-byte characters:
// far from both bounds, where copies stand for each other (with Gemma's longest token
// of 31 characters: up to about 117 and from 149 to about 167), at the edges of those
// ranges, near each bound, and inside a character.
TEST(GrammarMask, MinAndMaxLengthMasksAreExactNearAndFarFromTheBounds) {
  const auto vocab = gemma_vocabulary();
  if (!vocab) return;
  const auto g = schema_grammar(R"({"type": "string", "minLength": 150, "maxLength": 200})");
  const std::string chars[] = {"a", "\xC3\xA9", " ", "\xE6\x97\xA5", "7"};  // a, e-acute, space, a kanji, 7
  const std::set<size_t> checked = {0, 60, 116, 117, 118, 119, 148, 149, 150, 151, 166, 167, 168, 169, 172, 176, 180, 185, 198, 199, 200};
  std::string text = "\"";
  for (size_t n = 0; n <= 200; ++n) {
    if (checked.count(n) != 0) {
      Matcher m(g, vocab);
      ASSERT_TRUE(m.accept_bytes(text)) << n;
      expect_exact_mask(m, mask_of(m), std::to_string(n) + " characters");
      if (n == 60 || n == 148 || n == 185) {
        Matcher mid(g, vocab);  // inside the next character
        ASSERT_TRUE(mid.accept_bytes(text + "\xE6\x97"));
        expect_exact_mask(mid, mask_of(mid), std::to_string(n) + " characters and two bytes of one more");
      }
    }
    text += chars[n % 5];
  }
}

TEST(GrammarMask, FarCopiesOfALongStringShareCacheEntries) {
  const auto vocab = gemma_vocabulary();
  if (!vocab) return;
  const auto g = schema_grammar(R"({"type": "string", "maxLength": 1000})");
  Matcher m(g, vocab);
  ASSERT_TRUE(m.accept_bytes("\""));
  std::vector<uint64_t> bits((vocab->size() + 63) / 64);
  for (int n = 0; n < 1000; ++n) {
    m.fill_mask(bits);
    ASSERT_TRUE(m.accept_bytes("x"));
  }
  // The last few dozen characters are told apart by the longest token, all others not.
  EXPECT_LT(shared_mask_cache(*g, vocab)->entry_count(), 3 * (vocab->trie().longest_starts + 10));
  expect_exact_mask(m, mask_of(m), "at the bound");
}

TEST(GrammarMask, ControlTokensNeverAllowedAndEogOnlyWhenComplete) {
  const auto vocab = gemma_vocabulary();
  if (!vocab) return;
  const Tokenizer tok = Tokenizer::from_file(slm::test::gemma_path());
  Matcher m(compile_gbnf("root ::= [^a]*"), vocab);  // almost everything, complete at once
  const std::vector<uint64_t> bits = mask_of(m);
  size_t eog_seen = 0;
  for (TokenId t = 0; t < static_cast<TokenId>(vocab->size()); ++t) {
    if (tok.is_eog(t)) {
      EXPECT_TRUE(bit(bits, static_cast<size_t>(t)));
      ++eog_seen;
    } else if (tok.is_control(t) || tok.token_to_piece(t, false).empty()) {
      EXPECT_FALSE(bit(bits, static_cast<size_t>(t))) << t;
      EXPECT_FALSE(m.accept_token(t)) << t;
    }
  }
  EXPECT_GT(eog_seen, 0u);
  Matcher open(compile_gbnf("root ::= \"x\" [^a]*"), vocab);
  const std::vector<uint64_t> none = mask_of(open);
  for (const TokenId t : vocab->eog_tokens()) EXPECT_FALSE(bit(none, static_cast<size_t>(t)));
}

TEST(GrammarMask, ShortMaskBufferIsAnError) {
  const auto vocab = gemma_vocabulary();
  if (!vocab) return;
  Matcher m(test::shared_grammar("json"), vocab);
  std::vector<uint64_t> small(10);
  EXPECT_THROW(m.fill_mask(small), slm::Error);
}

}  // namespace
}  // namespace slm::grammar
