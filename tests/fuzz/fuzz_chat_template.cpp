// libFuzzer entry: the input bytes are a chat template, parsed and rendered with a
// small fixed conversation. Any slm::Error is fine; crashes, hangs, leaks and
// unbounded memory are not (limits are lowered so each input stays fast).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "slm/chat_template.h"

namespace {

const nlohmann::ordered_json& context() {
  static const nlohmann::ordered_json ctx = nlohmann::ordered_json::parse(R"({
    "messages": [
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": "Weather in Paris? \u00e9"},
      {"role": "assistant", "content": "", "tool_calls": [
        {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
      {"role": "tool", "content": "{\"temp\": 21}"}
    ],
    "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather.",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
    "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>", "n": 3, "f": 1.5
  })");
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  try {
    auto tmpl = slm::ChatTemplate::parse(source);
    slm::ChatTemplateLimits limits;
    limits.max_output_bytes = 1 << 16;
    limits.max_steps = 200'000;
    limits.max_depth = 200;
    tmpl.set_limits(limits);
    (void)tmpl.render(context());
  } catch (const slm::Error&) {
    // Rejected templates and template errors are expected outcomes.
  }
  return 0;
}
