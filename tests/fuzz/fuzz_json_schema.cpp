// libFuzzer target for the JSON Schema compiler: any bytes either compile to GBNF that
// the grammar compiler accepts (or finds too large), or fail with slm::Error. A grammar
// we produce that does not parse is a bug: it aborts, and so does compile_json_schema
// disagreeing with compiling that GBNF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "grammar/grammar.h"
#include "grammar/json_schema.h"
#include "slm/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string gbnf;
  try {
    gbnf = slm::grammar::json_schema_text_to_gbnf(text);
  } catch (const slm::Error&) {
    return 0;
  }
  std::shared_ptr<const slm::grammar::Grammar> from_text;
  try {
    from_text = slm::grammar::compile_gbnf(gbnf);
  } catch (const slm::Error& e) {
    if (std::string_view(e.what()).find("too large") == std::string_view::npos) std::abort();
  }
  // The compile that skips the text must agree (node counts stand for the automaton here;
  // test_json_schema_bench compares whole automata).
  std::shared_ptr<const slm::grammar::Grammar> direct;
  try {
    direct = slm::grammar::compile_json_schema(text);
  } catch (const slm::Error&) {
    if (from_text) std::abort();
    return 0;
  }
  if (!from_text || direct->node_count() != from_text->node_count()) std::abort();
  return 0;
}
