// libFuzzer target for the JSON Schema compiler: any bytes either compile to GBNF that
// the grammar compiler accepts (or finds too large), or fail with slm::Error. A grammar
// we produce that does not parse is a bug: it aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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
  try {
    slm::grammar::compile_gbnf(gbnf);
  } catch (const slm::Error& e) {
    if (std::string_view(e.what()).find("too large") == std::string_view::npos) std::abort();
  }
  return 0;
}
