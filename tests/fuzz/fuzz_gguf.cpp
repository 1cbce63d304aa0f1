// libFuzzer target for the GGUF parser: any bytes must either parse into views that
// lie inside the buffer, or fail with slm::Error. Run under ASan + UBSan.
#include <cstddef>
#include <cstdint>

#include "slm/error.h"
#include "slm/gguf.h"

namespace {

volatile uint8_t g_sink;  // keeps the touched bytes from being optimised away

void touch(const slm::GgufValue& v) {
  try {
    switch (v.is_array() ? v.array_type() : v.type()) {
      case slm::GgufType::STRING:
        if (v.is_array()) {
          for (std::string_view s : v.array_strings()) g_sink = s.empty() ? 0 : static_cast<uint8_t>(s.back());
        } else {
          const std::string_view s = v.as_string();
          g_sink = s.empty() ? 0 : static_cast<uint8_t>(s.back());
        }
        break;
      case slm::GgufType::FLOAT32:
      case slm::GgufType::FLOAT64:
        if (v.is_array()) g_sink = static_cast<uint8_t>(v.array_floats().size());
        else g_sink = static_cast<uint8_t>(v.as_float() > 0);
        break;
      case slm::GgufType::BOOL:
        if (!v.is_array()) g_sink = v.as_bool();
        break;
      default:
        if (v.is_array()) g_sink = static_cast<uint8_t>(v.array_ints().size());
        else g_sink = static_cast<uint8_t>(v.as_int());
        break;
    }
  } catch (const slm::Error&) {
    // UINT64 values above INT64_MAX are refused by the widening accessors.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const slm::GgufFile f = slm::GgufFile::parse(data, size, "fuzz.gguf");
    for (const slm::GgufKv& kv : f.metadata()) touch(kv.value);
    for (const slm::GgufTensor& t : f.tensors()) {
      g_sink = t.data[0];
      g_sink = t.data[t.n_bytes - 1];
    }
  } catch (const slm::Error&) {
  }
  return 0;
}
