// Tool calls as a grammar: OpenAI-style function definitions become a constraint for the
// call format the model was trained on (a model forced into a foreign format produces
// garbage), with tool_choice auto / required / one named function and parallel calls.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "grammar/json_schema.h"

namespace slm::grammar {

enum class ToolFormat {
  kHermes,  // Qwen 2.5/3, Hermes: <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>, repeated
  kLlama3,  // Llama 3.1/3.2: {"name": ..., "parameters": {...}}
  kPython,  // Gemma 3 (prompted): [fn(a=1, b="x"), ...]
  kJson,    // plain JSON: {"name": ..., "arguments": {...}}; parallel calls as a JSON array
};

// The format a chat template is written for (its call markers), else by architecture;
// kJson when nothing says otherwise.
ToolFormat detect_tool_format(std::string_view chat_template, std::string_view architecture);
// "hermes", "llama3", "python", "json"; nullopt for other names.
std::optional<ToolFormat> tool_format_from_name(std::string_view name);
const char* tool_format_name(ToolFormat format);

struct ToolCallOptions {
  ToolFormat format = ToolFormat::kJson;
  // "auto": for formats with a call opener of their own (hermes: <tool_call>), free text
  // that never holds the opener, then the calls if the model opens one; for the others,
  // a call or a plain answer (which cannot start like a call). "required": at least one
  // call; any other value: the name of the one function that must be called.
  std::string tool_choice = "auto";
  bool parallel = true;  // more than one call allowed
  JsonSchemaOptions json;
};

struct ToolGrammar {
  std::string gbnf;
  std::string root;  // the rule to compile from
};

// `tools_json`: a JSON array of {"type": "function", "function": {name, description,
// parameters}} or of bare {name, description, parameters}. Parameter schemas may use
// BFCL's type names ("dict", "float", "tuple", "any"), mapped to JSON Schema. Throws
// slm::Error for malformed definitions, an unknown tool_choice name, and SchemaError for
// parameter schemas that cannot be enforced.
ToolGrammar tool_calls_to_gbnf(std::string_view tools_json, const ToolCallOptions& options);

}  // namespace slm::grammar
