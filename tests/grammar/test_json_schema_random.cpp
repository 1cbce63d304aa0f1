// Random instances: for a sample of the real-world schemas that compile, random walks
// through the grammar (random allowed bytes until the matcher is complete) produce
// instances; Python's jsonschema must find every one valid.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "grammar/grammar.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "tests/grammar/grammar_fixtures.h"
#include "tests/grammar/json_schema_fixtures.h"
#include "tests/support/test_data.h"

namespace slm::grammar::test {
namespace {

constexpr size_t kSchemasPerSplit = 250;
constexpr int kInstancesPerSchema = 4;
constexpr size_t kSoftLength = 120;  // past this, closing bytes are strongly preferred
constexpr size_t kHardLength = 4000;

// How much a random walk likes each byte: structure and short strings keep instances
// small; non-ASCII stays possible.
double weight(uint8_t b, size_t length) {
  const bool closing = b == '"' || b == ']' || b == '}';
  if (length > kSoftLength && closing) return 1000.0;
  if (closing || b == ',' || b == ':') return 8.0;
  if (b == ' ' || b == '\n' || b == '\t') return 0.3;
  if (b >= 0x80) return 0.05;
  if (b < 0x20 || b == 0x7F) return 0.01;
  return 1.0;
}

// One walk; empty when it got stuck or grew past kHardLength.
std::optional<std::string> random_instance(const std::shared_ptr<const Grammar>& g, std::mt19937& rng) {
  static const std::shared_ptr<const Vocabulary> vocab = byte_vocabulary();
  Matcher m(g, vocab);
  std::string out;
  std::vector<uint64_t> bits((vocab->size() + 63) / 64);
  while (out.size() < kHardLength) {
    if (m.is_complete() && std::uniform_real_distribution<double>(0, 1)(rng) < (out.size() > 20 ? 0.5 : 0.1))
      return out;
    m.fill_mask(bits);
    std::vector<double> weights(256, 0.0);
    double total = 0;
    for (int b = 0; b < 256; ++b)
      if (bits[static_cast<size_t>(b) / 64] >> (b % 64) & 1) total += weights[static_cast<size_t>(b)] = weight(static_cast<uint8_t>(b), out.size());
    if (total == 0) return m.is_complete() ? std::optional<std::string>(out) : std::nullopt;
    std::discrete_distribution<int> pick(weights.begin(), weights.end());
    const char byte = static_cast<char>(pick(rng));
    if (!m.accept_bytes(std::string(1, byte))) return std::nullopt;
    out += byte;
  }
  return std::nullopt;
}

TEST(JsonSchemaRandom, RandomWalkInstancesValidateWithPythonJsonschema) {
  std::mt19937 rng(1234);
  const std::string jsonl = testing::TempDir() + "slm_schema_instances.jsonl";
  std::ofstream out(jsonl);
  size_t schemas = 0;
  size_t instances = 0;
  size_t abandoned = 0;
  for (const std::string& split : kBenchSplits) {
    const std::vector<std::string> files = bench_schema_files(split);
    size_t taken = 0;
    const size_t stride = std::max<size_t>(1, files.size() / kSchemasPerSplit);
    for (size_t i = 0; i < files.size() && taken < kSchemasPerSplit; i += stride) {
      std::shared_ptr<const Grammar> g;
      try {
        g = compile_gbnf(json_schema_text_to_gbnf(slm::test::read_file(files[i])));
      } catch (const SchemaError&) {
        continue;
      }
      ++taken;
      ++schemas;
      for (int k = 0; k < kInstancesPerSchema; ++k) {
        const std::optional<std::string> text = random_instance(g, rng);
        if (!text) {
          ++abandoned;
          continue;
        }
        ++instances;
        out << nlohmann::json{{"schema_file", files[i]}, {"instance", *text}}.dump() << "\n";
      }
    }
  }
  out.close();
  std::printf("generated %zu instances for %zu schemas (%zu walks abandoned: too long)\n", instances, schemas, abandoned);
  ASSERT_GT(instances, 500u);
  const auto r = slm::test::run_command("python3 " + std::string(SLM_SOURCE_DIR) + "/tests/grammar/validate_instances.py " +
                                        slm::test::shell_quote(jsonl));
  std::printf("%s", r.out.c_str());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace slm::grammar::test
