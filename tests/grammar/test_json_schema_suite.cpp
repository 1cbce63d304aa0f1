// The official JSON-Schema-Test-Suite (draft 2020-12). For every test group whose
// schema compiles, an invalid instance accepted is a failure (zero tolerance); valid
// instances rejected are counted. Each instance is fed compact and indented (dump(2)).
// A schema that does not compile counts all its tests as failed in the printed score,
// unless it is refused because it accepts no value at all.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "grammar/grammar.h"
#include "grammar/json_schema.h"
#include "tests/grammar/json_schema_fixtures.h"
#include "tests/support/test_data.h"

namespace slm::grammar::test {
namespace {

using Json = nlohmann::ordered_json;

struct Score {
  size_t tests = 0;
  size_t passed = 0;
  size_t valid_rejected = 0;
  size_t not_compiled = 0;
};

void run_file(const std::string& path, Score& score) {
  const Json groups = Json::parse(slm::test::read_file(path));
  for (const Json& group : groups) {
    const std::string schema_text = group["schema"].dump();
    const size_t n = group["tests"].size();
    score.tests += n;
    std::shared_ptr<const Grammar> compact;
    std::shared_ptr<const Grammar> spaced;
    try {
      compact = compile_gbnf(json_schema_text_to_gbnf(schema_text));
      JsonSchemaOptions wide;
      wide.max_whitespace = 40;  // dump(2) indents by depth
      spaced = compile_gbnf(json_schema_text_to_gbnf(schema_text, wide));
    } catch (const SchemaError& e) {
      // A schema proven to accept no value rejects every instance: that verdict is
      // exact, so it is scored like a compiled schema's (valid instances then count as
      // rejected).
      if (std::string(e.what()).find("the schema accepts no value") == std::string::npos) {
        score.not_compiled += n;
        continue;
      }
      for (const Json& t : group["tests"]) {
        if (t["valid"].get<bool>()) ++score.valid_rejected;
        else ++score.passed;
      }
      continue;
    }
    for (const Json& t : group["tests"]) {
      const bool valid = t["valid"].get<bool>();
      const std::string a = t["data"].dump();
      const std::string b = t["data"].dump(2);
      const bool accepted_a = accepts(compact, a);
      const bool accepted_b = accepts(spaced, b);
      if (!valid) {
        EXPECT_FALSE(accepted_a) << path << ": \"" << group["description"].get<std::string>() << "\" / \""
                                 << t["description"].get<std::string>() << "\": invalid instance accepted: " << a
                                 << "\nschema: " << schema_text;
        EXPECT_FALSE(accepted_b) << path << ": " << t["description"].get<std::string>()
                                 << ": invalid instance (indented) accepted: " << b;
        if (!accepted_a && !accepted_b) ++score.passed;
      } else if (accepted_a && accepted_b) {
        ++score.passed;
      } else {
        ++score.valid_rejected;
      }
    }
  }
}

Score run_folder(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(folder))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  Score score;
  for (const std::string& f : files) run_file(f, score);
  return score;
}

void print(const char* name, const Score& s) {
  std::printf("%s: %zu tests, %zu passed (%.1f%%), %zu valid rejected, %zu in schemas we refuse\n", name, s.tests,
              s.passed, 100.0 * static_cast<double>(s.passed) / static_cast<double>(s.tests), s.valid_rejected,
              s.not_compiled);
}

const std::string kSuite = "schemas/json-schema-test-suite/tests/draft2020-12";

TEST(JsonSchemaSuite, NoInvalidInstanceAcceptedAndMostTestsPass) {
  const Score s = run_folder(slm::test::shared_path(kSuite));
  print("draft2020-12", s);
  EXPECT_GE(100.0 * static_cast<double>(s.passed) / static_cast<double>(s.tests), 64.0);  // 836 of 1299 (64.4%) when last raised
}

TEST(JsonSchemaSuite, OptionalTestsAcceptNoInvalidInstance) {
  print("draft2020-12/optional", run_folder(slm::test::shared_path(kSuite + "/optional")));
}

}  // namespace
}  // namespace slm::grammar::test
