// regex_to_gbnf: whole-string semantics of JSON Schema patterns (a match anywhere
// unless anchored), checked against a table that Python's re.search agrees with.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "grammar/grammar.h"
#include "grammar/regex.h"
#include "slm/error.h"
#include "tests/grammar/json_schema_fixtures.h"
#include "tests/support/test_data.h"

namespace slm::grammar::test {
namespace {

struct Case {
  const char* pattern;
  const char* text;
  bool matches;
};

// Cases where ECMA-262 and Python agree (so Python can vouch for the table).
const Case kCases[] = {
    {"abc", "abc", true},          {"abc", "xxabcyy", true},      {"abc", "ab", false},
    {"^abc", "abcd", true},        {"^abc", "xabc", false},       {"abc$", "xabc", true},
    {"abc$", "abcx", false},       {"^abc$", "abc", true},        {"^abc$", "abcabc", false},
    {"^a|b$", "ax", true},         {"^a|b$", "xb", true},         {"^a|b$", "xa", false},
    {"^(a|b)+$", "abba", true},    {"^(a|b)+$", "abc", false},    {"^(?:ab)*$", "", true},
    {"^(?:ab)*$", "aba", false},   {"^a{3}$", "aaa", true},       {"^a{3}$", "aa", false},
    {"^a{2,}$", "aaaaa", true},    {"^a{2,}$", "a", false},       {"^a{1,2}$", "aaa", false},
    {"^a{0,2}?$", "aa", true},     {"^a+?b$", "aab", true},       {"^a*?$", "", true},
    {"^[a-c]+$", "cab", true},     {"^[a-c]+$", "cad", false},    {"^[^a-c]$", "d", true},
    {"^[^a-c]$", "b", false},      {"^\\d+$", "2024", true},      {"^\\d+$", "20a4", false},
    {"^\\w+$", "a_Z9", true},      {"^\\w+$", "a-b", false},      {"^\\s$", " ", true},
    {"^\\s$", "x", false},         {"^\\D$", "x", true},          {"^\\D$", "5", false},
    {"^\\W$", "-", true},          {"^\\W$", "a", false},         {"^\\S$", "x", true},
    {"^\\S$", " ", false},         {"^[\\d.]+$", "1.5", true},    {"^[\\d.]+$", "1,5", false},
    {"^[^\\d]$", "x", true},       {"^[^\\d]$", "7", false},      {"^.$", "x", true},
    {"^.$", "\n", false},          {"^a.c$", "a\xC3\xA9""c", true}, {"^\\.$", ".", true},
    {"^\\.$", "x", false},         {"^\\x41\\u00e9$", "A\xC3\xA9", true}, {"^[-a]$", "-", true},
    {"^[a-]$", "-", true},         {"^\\t\\n$", "\t\n", true},    {"^a\\/b$", "a/b", true},
    {"^\\(x\\)$", "(x)", true},    {"^[\\]]$", "]", true},        {"^x{$", "x{", true},
    {"^[0-9]{4}-[0-9]{2}$", "2024-01", true}, {"^[0-9]{4}-[0-9]{2}$", "2024-1", false},
    {"^\xC3\xA9+$", "\xC3\xA9\xC3\xA9", true}, {"", "anything", true}, {"^$", "", true},
    {"^$", "x", false},
};

TEST(Regex, TableMatchesWholeStringSemantics) {
  for (const Case& c : kCases) {
    const auto g = compile_gbnf(regex_to_gbnf(c.pattern));
    EXPECT_EQ(accepts(g, c.text), c.matches) << "pattern /" << c.pattern << "/ on \"" << c.text << "\"";
  }
}

TEST(Regex, PythonReSearchAgreesWithTheTable) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Case& c : kCases) rows.push_back({c.pattern, c.text, c.matches});
  const std::string script =
      "import json,re,sys\n"
      "bad=[r for r in json.load(sys.stdin) if bool(re.search(r[0], r[1])) != r[2]]\n"
      "print(bad); sys.exit(1 if bad else 0)\n";
  const auto r = slm::test::run_command("printf '%s' " + slm::test::shell_quote(rows.dump()) + " | python3 -c " +
                                        slm::test::shell_quote(script));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(Regex, ClassEscapesTakeTheNarrowerDialect) {
  // Python's \d matches Arabic-Indic digits, ECMA's does not: we match neither, and
  // \D (ASCII only) rejects them too so that no dialect disagreement is accepted.
  EXPECT_FALSE(accepts(compile_gbnf(regex_to_gbnf("^\\d$")), "\xD9\xA3"));
  EXPECT_FALSE(accepts(compile_gbnf(regex_to_gbnf("^\\D$")), "\xD9\xA3"));
  EXPECT_FALSE(accepts(compile_gbnf(regex_to_gbnf("^[^\\d]$")), "\xD9\xA3"));
  EXPECT_TRUE(accepts(compile_gbnf(regex_to_gbnf("^[^a]$")), "\xD9\xA3"));
}

TEST(Regex, UnsupportedConstructsAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"(a)\\1", "backreference"},  {"a(?=b)", "lookahead"},     {"(?<=a)b", "lookbehind"},
      {"\\bword", "word boundary"}, {"\\p{L}", "unicode property"}, {"a^b", "anchor"},
      {"a$b", "anchor"},            {"(?i)a", "inline flag"},    {"a{,3}", "{,n}"},
      {"[b-a]", "reversed"},        {"(ab", "missing ')'"},      {"ab)", "unbalanced"},
      {"*a", "quantifier without"}, {"a**", "stacked"},          {"\\q", "escape"},
  };
  for (const auto& [pattern, words] : cases) {
    try {
      regex_to_gbnf(pattern);
      ADD_FAILURE() << pattern << " compiled";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << pattern << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace slm::grammar::test
