// Real-world schemas (JSONSchemaBench): each compiles to a grammar the GBNF compiler
// accepts, or fails with a SchemaError naming what we do not support; compile_json_schema
// builds the same automaton as compiling the GBNF text. Prints coverage per split, the
// refused keywords, and compile times (GBNF generation + compile_gbnf).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "grammar/grammar.h"
#include "grammar/json_schema.h"
#include "tests/grammar/json_schema_fixtures.h"
#include "tests/support/test_data.h"

namespace slm::grammar::test {
namespace {

// Whether two automata are the same but for the numbering of their nodes (the rules
// come in another order): as many nodes, and walked side by side from the root, node
// for node, the same edges, calls, final flags and repeat places.
bool same_automaton(const Grammar& a, const Grammar& b) {
  if (a.node_count() != b.node_count()) return false;
  std::vector<uint32_t> to_b(a.node_count(), kNoNode);
  std::vector<uint32_t> order{a.root_start()};
  to_b[a.root_start()] = b.root_start();
  auto pair_up = [&](uint32_t u, uint32_t v) {
    if (u == kNoNode || v == kNoNode) return u == v;
    if (to_b[u] == kNoNode) {
      to_b[u] = v;
      order.push_back(u);
    }
    return to_b[u] == v;
  };
  for (size_t i = 0; i < order.size(); ++i) {
    const uint32_t u = order[i];
    const uint32_t v = to_b[u];
    const auto ea = a.byte_edges(u), eb = b.byte_edges(v);
    const auto ca = a.calls(u), cb = b.calls(v);
    if (a.is_final(u) != b.is_final(v) || ea.size() != eb.size() || ca.size() != cb.size()) return false;
    for (size_t k = 0; k < ea.size(); ++k) {
      if (ea[k].lo != eb[k].lo || ea[k].hi != eb[k].hi || !pair_up(ea[k].to, eb[k].to)) return false;
    }
    for (size_t k = 0; k < ca.size(); ++k) {
      if (!pair_up(ca[k].start, cb[k].start) || !pair_up(ca[k].ret, cb[k].ret)) return false;
    }
    for (const uint32_t horizon : {1u, 16u}) {
      if (!pair_up(a.equivalent_node(u, horizon), b.equivalent_node(v, horizon))) return false;
    }
  }
  return true;  // (rules the root never reaches keep their states but play no part)
}

TEST(JsonSchemaBench, EverySchemaCompilesOrNamesWhatIsUnsupported) {
  std::map<std::string, int> refused;
  std::vector<double> times_ms;      // generation + compile_gbnf
  std::vector<double> generate_ms;   // generation alone
  size_t total = 0;
  size_t compiled = 0;
  for (const std::string& split : kBenchSplits) {
    size_t split_total = 0;
    size_t split_ok = 0;
    for (const std::string& file : bench_schema_files(split)) {
      const std::string text = slm::test::read_file(file);
      ++split_total;
      const auto t0 = std::chrono::steady_clock::now();
      try {
        const std::string gbnf = json_schema_text_to_gbnf(text);
        const double generated = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::shared_ptr<const Grammar> from_text;
        try {
          from_text = compile_gbnf(gbnf);
        } catch (const Error& e) {
          ADD_FAILURE() << file << ": our grammar does not compile: " << e.what();
          continue;
        }
        const double compiled_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        EXPECT_TRUE(same_automaton(*compile_json_schema(text), *from_text)) << file;
        ++split_ok;
        generate_ms.push_back(generated);
        times_ms.push_back(compiled_ms);
      } catch (const SchemaError& e) {
        refused[e.keyword().empty() ? std::string("(") + e.what() + ")" : e.keyword()]++;
      }
    }
    std::printf("%-16s %5zu / %5zu compiled (%.1f%%)\n", split.c_str(), split_ok, split_total,
                100.0 * static_cast<double>(split_ok) / static_cast<double>(split_total));
    total += split_total;
    compiled += split_ok;
  }
  const double coverage = 100.0 * static_cast<double>(compiled) / static_cast<double>(total);
  std::printf("%-16s %5zu / %5zu compiled (%.1f%%)\nrefused keywords:\n", "all", compiled, total, coverage);
  std::vector<std::pair<int, std::string>> by_count;
  for (const auto& [k, n] : refused) by_count.emplace_back(n, k);
  std::sort(by_count.rbegin(), by_count.rend());
  for (const auto& [n, k] : by_count) std::printf("  %5d %s\n", n, k.substr(0, 120).c_str());
  ASSERT_FALSE(times_ms.empty());
  for (const auto& [name, v] : {std::pair{"schema -> GBNF", &generate_ms}, std::pair{"GBNF + compile_gbnf", &times_ms}}) {
    std::sort(v->begin(), v->end());
    auto pct = [&](double p) { return (*v)[static_cast<size_t>(p * static_cast<double>(v->size() - 1))]; };
    std::printf("%s ms: p50 %.3f  p99 %.3f  max %.3f\n", name, pct(0.5), pct(0.99), v->back());
  }
  EXPECT_GE(coverage, 85.0);
}

}  // namespace
}  // namespace slm::grammar::test
