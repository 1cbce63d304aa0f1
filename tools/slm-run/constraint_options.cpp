#include "constraint_options.h"

#include "read_text.h"

namespace slm::tools {

namespace {

// --json-schema takes a file or the schema itself; JSON text starts like one.
std::string schema_text(const std::string& arg) {
  const size_t first = arg.find_first_not_of(" \t\r\n");
  const bool inline_json = first != std::string::npos && (arg[first] == '{' || arg.compare(first, 4, "true") == 0 ||
                                                          arg.compare(first, 5, "false") == 0);
  return inline_json ? arg : read_text_file(arg);
}

}  // namespace

void add_constraint_options(CLI::App& app, ConstraintOptions& opt) {
  CLI::Option* grammar = app.add_option("--grammar", opt.grammar_file, "Constrain the output to a GBNF grammar file");
  CLI::Option* schema = app.add_option("--json-schema", opt.json_schema,
                                       "Constrain the output to a JSON Schema (a file or the schema's JSON text)");
  CLI::Option* regex = app.add_option("--regex", opt.regex, "Constrain the whole output to a regular expression");
  CLI::Option* tools = app.add_option("--tools", opt.tools_file,
                                      "Constrain the output to calls of these functions (JSON array, OpenAI style)");
  grammar->excludes(schema)->excludes(regex)->excludes(tools);
  schema->excludes(regex)->excludes(tools);
  regex->excludes(tools);
  app.add_option("--tool-choice", opt.tool_choice, "auto, required, or the name of the function to call")
      ->capture_default_str();
  app.add_option("--tool-format", opt.tool_format, "Tool-call format (default: from the chat template)")
      ->check(CLI::IsMember({"hermes", "llama3", "python", "json"}));
  app.add_flag("--no-extra-properties", opt.no_extra_properties,
               "JSON Schema: forbid undeclared object keys where the schema does not say");
  app.add_flag("--compact-json", opt.compact_json, "JSON Schema and tools: no whitespace between JSON tokens");
}

bool has_constraint(const ConstraintOptions& opt) {
  return !opt.grammar_file.empty() || !opt.json_schema.empty() || !opt.regex.empty() || !opt.tools_file.empty();
}

std::optional<api::Constraint> make_constraint(const ConstraintOptions& opt, const api::Model& model) {
  if (!has_constraint(opt)) return std::nullopt;
  slm_constraint_kind kind = SLM_CONSTRAINT_GRAMMAR;
  std::string text;
  if (!opt.grammar_file.empty()) {
    text = read_text_file(opt.grammar_file);
  } else if (!opt.json_schema.empty()) {
    kind = SLM_CONSTRAINT_JSON_SCHEMA;
    text = schema_text(opt.json_schema);
  } else if (!opt.regex.empty()) {
    kind = SLM_CONSTRAINT_REGEX;
    text = opt.regex;
  } else {
    kind = SLM_CONSTRAINT_TOOLS;
    text = read_text_file(opt.tools_file);
  }
  slm_constraint_params p = slm_constraint_default_params();
  p.allow_additional_properties = !opt.no_extra_properties;
  p.compact_json = opt.compact_json;
  p.tool_choice = opt.tool_choice.c_str();
  p.tool_format = opt.tool_format.empty() ? nullptr : opt.tool_format.c_str();
  try {
    return api::Constraint(model, kind, text, p);
  } catch (const Error& e) {
    throw ConstraintError(e.what());
  }
}

}  // namespace slm::tools
