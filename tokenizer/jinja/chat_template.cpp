#include "slm/chat_template.h"

#include "tokenizer/jinja/builtins.h"
#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/json.h"
#include "tokenizer/jinja/parser.h"
#include "tokenizer/jinja/unicode.h"

namespace slm {

namespace {

[[noreturn]] void fail(const std::string& message) { throw Error("chat template: " + message); }

}  // namespace

ChatTemplate ChatTemplate::parse(std::string_view source) {
  if (!jinja::valid_utf8(source)) fail("the template is not valid UTF-8");
  try {
    return ChatTemplate(jinja::parse_template(source));
  } catch (const jinja::TemplateError& e) {
    fail(e.what());
  }
}

std::string ChatTemplate::render(const nlohmann::ordered_json& context) const {
  if (!context.is_object()) fail("the context must be a JSON object");
  auto root = std::make_shared<jinja::Frame>();
  root->parent = jinja::make_globals();
  try {
    for (const auto& [key, value] : context.items()) root->vars[key] = jinja::from_json(value);
    for (const auto& name : tmpl_->undefined_at_start) {
      root->vars[name] = jinja::Value::undefined("'" + name + "' is undefined");
    }
  } catch (const jinja::TemplateError& e) {
    fail(std::string("context: ") + e.what());
  }
  jinja::Interpreter interp(limits_, root);
  try {
    std::string out = interp.render(*tmpl_);
    root->vars.clear();  // macros hold weak references only; drop values eagerly
    return out;
  } catch (const jinja::RaisedByTemplate& e) {
    throw ChatTemplateRaised(e.what());
  } catch (const jinja::TemplateError& e) {
    fail(e.what());
  }
}

std::string ChatTemplate::render_json(std::string_view context_json) const {
  nlohmann::ordered_json context;
  try {
    context = nlohmann::ordered_json::parse(context_json);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("context is not valid JSON: ") + e.what());
  }
  return render(context);
}

}  // namespace slm
