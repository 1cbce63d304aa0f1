// Chat templates: a small Jinja interpreter that renders Hugging Face chat
// templates byte for byte as Python's jinja2 does with transformers' settings
// (sandboxed, trim_blocks, lstrip_blocks, loop controls, a `tojson` filter that
// keeps non-ASCII, globals `raise_exception(msg)` and `strftime_now(fmt)`).
//
// Parse once, render many:
//   auto tmpl = slm::ChatTemplate::parse(source);
//   std::string text = tmpl.render(context);  // {"messages": [...], "add_generation_prompt": true, ...}
//
// Anything the interpreter does not support (a filter, a tag, a method) is an
// slm::Error naming the construct and its line, never a silent difference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "slm/error.h"

namespace slm {

namespace jinja {
struct Template;
}

// The template called raise_exception(message): what() is the template's own message.
class ChatTemplateRaised : public Error {
 public:
  explicit ChatTemplateRaised(const std::string& message) : Error(message) {}
};

// Bounds that keep a hostile template from hanging or exhausting memory/stack.
struct ChatTemplateLimits {
  std::size_t max_output_bytes = std::size_t{8} << 20;  // rendered text (also each macro/block result)
  std::uint64_t max_steps = 20'000'000;                 // evaluated nodes and copied data, ~a second of work
  int max_depth = 300;                                  // nested evaluation incl. macro calls
};

class ChatTemplate {
 public:
  // Throws slm::Error ("chat template: line N: ...") on syntax errors, unsupported
  // tags and unknown filters/tests, or when the source is not UTF-8.
  static ChatTemplate parse(std::string_view source);

  // Renders with the context's keys as variables (messages, tools, add_generation_prompt,
  // bos_token, eos_token and any extra keys). Objects keep their key order, which tojson
  // and dict iteration show, so the context is an ordered_json (parse the JSON text with
  // nlohmann::ordered_json::parse). Throws ChatTemplateRaised for raise_exception and
  // slm::Error ("chat template: line N: ...") for every other failure.
  std::string render(const nlohmann::ordered_json& context) const;
  // Same, from the JSON text of the context object.
  std::string render_json(std::string_view context_json) const;

  void set_limits(const ChatTemplateLimits& limits) { limits_ = limits; }
  const ChatTemplateLimits& limits() const { return limits_; }

 private:
  explicit ChatTemplate(std::shared_ptr<const jinja::Template> tmpl) : tmpl_(std::move(tmpl)) {}

  std::shared_ptr<const jinja::Template> tmpl_;
  ChatTemplateLimits limits_;
};

}  // namespace slm
