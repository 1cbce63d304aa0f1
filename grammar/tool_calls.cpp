#include "grammar/tool_calls.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

#include "grammar/gbnf_text.h"
#include "grammar/ordered_json.h"
#include "grammar/regex_ast.h"
#include "slm/error.h"

namespace slm::grammar {

namespace {

using Json = nlohmann::ordered_json;

struct Tool {
  std::string name;
  Json parameters;  // a JSON Schema object
};

// BFCL writes Python-ish type names; JSON Schema spells them differently.
void normalize_types(Json& schema) {
  if (!schema.is_object()) return;
  if (const auto t = schema.find("type"); t != schema.end() && t->is_string()) {
    const std::string type = *t;
    if (type == "dict") *t = "object";
    if (type == "float") *t = "number";
    if (type == "tuple") *t = "array";
    if (type == "any") schema.erase("type");
  }
  for (const char* key : {"properties", "patternProperties", "$defs", "definitions"}) {
    if (const auto p = schema.find(key); p != schema.end() && p->is_object()) {
      for (auto& [name, sub] : p->items()) normalize_types(sub);
    }
  }
  for (const char* key : {"items", "additionalProperties", "not"}) {
    if (const auto p = schema.find(key); p != schema.end()) normalize_types(*p);
  }
  for (const char* key : {"anyOf", "oneOf", "allOf", "prefixItems"}) {
    if (const auto p = schema.find(key); p != schema.end() && p->is_array()) {
      for (Json& sub : *p) normalize_types(sub);
    }
  }
}

std::vector<Tool> parse_tools(std::string_view tools_json) {
  Json all;
  try {
    all = parse_ordered_json(tools_json);
  } catch (const Error& e) {
    throw Error(std::string("tools: ") + e.what());
  }
  if (!all.is_array() || all.empty()) throw Error("tools: expected a non-empty JSON array of function definitions");
  std::vector<Tool> tools;
  for (size_t i = 0; i < all.size(); ++i) {
    const Json& entry = all[i];
    const Json& fn = entry.is_object() && entry.contains("function") ? entry["function"] : entry;
    const std::string where = "tools[" + std::to_string(i) + "]";
    if (!fn.is_object() || !fn.contains("name") || !fn["name"].is_string() || fn["name"].get<std::string>().empty()) {
      throw Error(where + ": a function needs a non-empty \"name\"");
    }
    Tool t{fn["name"], Json{{"type", "object"}, {"properties", Json::object()}}};
    if (fn.contains("parameters")) {
      t.parameters = fn["parameters"];
      if (!t.parameters.is_object()) throw Error(where + ": \"parameters\" must be a JSON Schema object");
      normalize_types(t.parameters);
      // Undeclared arguments are a wrong call, whatever JSON Schema's default says.
      if (!t.parameters.contains("additionalProperties")) t.parameters["additionalProperties"] = false;
    }
    for (const Tool& other : tools) {
      if (other.name == t.name) throw Error(where + ": function \"" + t.name + "\" is defined twice");
    }
    tools.push_back(std::move(t));
  }
  return tools;
}

// The functions tool_choice allows.
std::vector<Tool> chosen_tools(std::vector<Tool> tools, const std::string& choice) {
  if (choice == "auto" || choice == "required") return tools;
  for (Tool& t : tools) {
    if (t.name == choice) return {std::move(t)};
  }
  throw Error("tool_choice \"" + choice + "\" names no defined function");
}

// Prefixes every rule name of GBNF text (outside literals, classes, repetition counts
// and comments), so that grammars compiled separately can live in one file.
std::string prefix_rule_names(std::string_view gbnf, const std::string& prefix) {
  std::string out;
  size_t i = 0;
  const auto copy_quoted = [&](char close) {
    out += gbnf[i++];
    while (i < gbnf.size() && gbnf[i] != close) {
      if (gbnf[i] == '\\' && i + 1 < gbnf.size()) out += gbnf[i++];
      out += gbnf[i++];
    }
    if (i < gbnf.size()) out += gbnf[i++];
  };
  while (i < gbnf.size()) {
    const char c = gbnf[i];
    if (c == '"') {
      copy_quoted('"');
    } else if (c == '[') {
      copy_quoted(']');
    } else if (c == '{') {
      copy_quoted('}');
    } else if (c == '#') {
      while (i < gbnf.size() && gbnf[i] != '\n') out += gbnf[i++];
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      out += prefix;
      while (i < gbnf.size() && (std::isalnum(static_cast<unsigned char>(gbnf[i])) || gbnf[i] == '-' || gbnf[i] == '_')) {
        out += gbnf[i++];
      }
    } else {
      out += gbnf[i++];
    }
  }
  return out;
}

// JSON literals become Python's. In GBNF from the schema compiler the quoted text
// "true" can only be the JSON literal: JSON strings appear with their own quotes escaped.
std::string with_python_literals(std::string gbnf) {
  const std::pair<std::string, std::string> swaps[] = {
      {"\"true\"", "\"True\""}, {"\"false\"", "\"False\""}, {"\"null\"", "\"None\""}};
  for (const auto& [from, to] : swaps) {
    for (size_t at = gbnf.find(from); at != std::string::npos; at = gbnf.find(from, at + to.size())) {
      gbnf.replace(at, from.size(), to);
    }
  }
  return gbnf;
}

// One JSON call object per function, any of them: {"name": ..., "<args_key>": {...}}.
std::string json_call_gbnf(const std::vector<Tool>& tools, const char* args_key, const JsonSchemaOptions& opt) {
  Json any = Json::array();
  for (const Tool& t : tools) {
    any.push_back(Json{{"type", "object"},
                       {"properties", Json{{"name", Json{{"const", t.name}}}, {args_key, t.parameters}}},
                       {"required", Json::array({"name", args_key})},
                       {"additionalProperties", false}});
  }
  const Json schema = any.size() == 1 ? any[0] : Json{{"anyOf", any}};
  return prefix_rule_names(json_schema_text_to_gbnf(schema.dump(), opt), "call-");
}

// fn(a=1, b="x"): required arguments first, then the optional ones that are given, each
// group in declared order.
std::string python_call_gbnf(const std::vector<Tool>& tools, const JsonSchemaOptions& opt) {
  std::string rules, call = "call-root ::= ";
  for (size_t f = 0; f < tools.size(); ++f) {
    const Tool& t = tools[f];
    const std::string fn = "fn" + std::to_string(f);
    std::vector<std::string> required_args, optional_args;
    const Json props = t.parameters.value("properties", Json::object());
    const Json required = t.parameters.value("required", Json::array());
    if (t.parameters.contains("additionalProperties") && t.parameters["additionalProperties"] != false) {
      throw SchemaError("additionalProperties", "/" + t.name, "keyword arguments of a Python call are the declared ones");
    }
    size_t p = 0;
    for (const auto& [name, sub] : props.items()) {
      const std::string value = fn + "p" + std::to_string(p++) + "-";
      rules += with_python_literals(prefix_rule_names(json_schema_text_to_gbnf(sub.dump(), opt), value));
      const std::string arg = gbnf::literal(name + "=") + " " + value + "root";
      const bool is_required = std::find(required.begin(), required.end(), name) != required.end();
      (is_required ? required_args : optional_args).push_back(arg);
    }
    std::string args;
    for (const std::string& a : required_args) args += (args.empty() ? "" : " \", \" ") + a;
    if (!required_args.empty()) {
      for (const std::string& a : optional_args) args += " (\", \" " + a + ")?";
    } else if (!optional_args.empty()) {
      // Any subset of the optional ones, in order: chain k ::= a_k (", " chain k+1)? | chain k+1.
      for (size_t k = optional_args.size(); k-- > 0;) {
        const std::string next = k + 1 < optional_args.size() ? fn + "-opt" + std::to_string(k + 1) : "";
        rules += fn + "-opt" + std::to_string(k) + " ::= " + optional_args[k] +
                 (next.empty() ? "" : " (\", \" " + next + ")? | " + next) + "\n";
      }
      args = "(" + fn + "-opt0)?";
    }
    rules += fn + " ::= " + gbnf::literal(t.name + "(") + " " + args + " \")\"\n";
    call += (f == 0 ? "" : " | ") + fn;
  }
  return rules + call + "\n";
}

// A plain answer that may go on into the calls: free text that never holds `trigger`
// (the model's call opener), and `after` (the rest of the calls) right where the text
// completes the trigger. The rules are the states of a matcher for the trigger (how much
// of it the text ends with, KMP-style): the text may end in any of them, and the one
// character that would complete the trigger leads only into `after`. Each rule ends in a
// tail call, so the text keeps the parser's stack flat however long it gets.
std::string text_then_calls_gbnf(const std::string& trigger, const std::string& after) {
  const size_t n = trigger.size();
  std::vector<size_t> border(n, 0);  // border[i]: longest proper prefix of trigger[0..i] that ends it
  for (size_t i = 1, k = 0; i < n; ++i) {
    while (k > 0 && trigger[i] != trigger[k]) k = border[k - 1];
    if (trigger[i] == trigger[k]) ++k;
    border[i] = k;
  }
  auto state = [](size_t j) { return "tool-text-" + std::to_string(j); };
  std::string rules;
  for (size_t j = 0; j < n; ++j) {
    std::string body = "\"\"";  // the answer may end here
    regex::CharSet advancing;  // characters that keep part of the trigger matched
    for (size_t i = 0; i < n; ++i) {
      const char c = trigger[i];
      if (trigger.find(c) != i) continue;  // met before
      size_t k = j;  // matched so far, after c
      while (k > 0 && trigger[k] != c) k = border[k - 1];
      if (trigger[k] == c) ++k;
      if (k == 0) continue;
      advancing.add(static_cast<unsigned char>(c), static_cast<unsigned char>(c));
      body += " | " + gbnf::literal(std::string(1, c)) + " " + (k == n ? after : state(k));
    }
    body += " | " + gbnf::char_class(advancing.complement()) + " " + state(0);
    rules += state(j) + " ::= " + body + "\n";
  }
  return rules;
}

}  // namespace

ToolFormat detect_tool_format(std::string_view chat_template, std::string_view architecture) {
  if (chat_template.find("<tool_call>") != std::string_view::npos) return ToolFormat::kHermes;
  if (chat_template.find("<|python_tag|>") != std::string_view::npos ||
      chat_template.find("ipython") != std::string_view::npos) {
    return ToolFormat::kLlama3;
  }
  if (architecture.rfind("gemma", 0) == 0) return ToolFormat::kPython;
  return ToolFormat::kJson;
}

std::optional<ToolFormat> tool_format_from_name(std::string_view name) {
  for (ToolFormat f : {ToolFormat::kHermes, ToolFormat::kLlama3, ToolFormat::kPython, ToolFormat::kJson}) {
    if (name == tool_format_name(f)) return f;
  }
  return std::nullopt;
}

const char* tool_format_name(ToolFormat format) {
  switch (format) {
    case ToolFormat::kHermes: return "hermes";
    case ToolFormat::kLlama3: return "llama3";
    case ToolFormat::kPython: return "python";
    case ToolFormat::kJson: return "json";
  }
  return "json";
}

ToolGrammar tool_calls_to_gbnf(std::string_view tools_json, const ToolCallOptions& options) {
  const std::vector<Tool> tools = chosen_tools(parse_tools(tools_json), options.tool_choice);
  const std::string ws = options.json.compact ? "" : " ";
  std::string gbnf, calls, opener;
  std::string trigger, after_trigger;  // a call opener that plain text can be told apart from
  switch (options.format) {
    case ToolFormat::kHermes:
      gbnf = json_call_gbnf(tools, "arguments", options.json) +
             "tool-call ::= \"<tool_call>\" tool-call-body\n"
             "tool-call-body ::= \"\\n\" call-root \"\\n</tool_call>\"\n";
      calls = options.parallel ? "tool-call (\"\\n\" tool-call)*" : "tool-call";
      trigger = "<tool_call>";
      after_trigger = options.parallel ? "tool-call-body (\"\\n\" tool-call)*" : "tool-call-body";
      break;
    case ToolFormat::kLlama3:
      gbnf = json_call_gbnf(tools, "parameters", options.json);
      calls = "call-root";
      opener = "{";
      break;
    case ToolFormat::kJson:
      gbnf = json_call_gbnf(tools, "arguments", options.json);
      calls = options.parallel ? "call-root | \"[\" call-root (\"," + ws + "\" call-root)* \"]\"" : "call-root";
      opener = options.parallel ? "{[" : "{";
      break;
    case ToolFormat::kPython:
      gbnf = python_call_gbnf(tools, options.json);
      calls = options.parallel ? "\"[\" call-root (\", \" call-root)* \"]\"" : "\"[\" call-root \"]\"";
      opener = "[";
      break;
  }
  gbnf += "tool-calls ::= " + calls + "\n";
  if (options.tool_choice == "auto" && !trigger.empty()) {
    // Lazy: the model writes freely until it opens a call itself.
    gbnf += text_then_calls_gbnf(trigger, "tool-after-trigger");
    gbnf += "tool-after-trigger ::= " + after_trigger + "\n";
    gbnf += "tool-root ::= tool-text-0\n";
  } else if (options.tool_choice == "auto") {
    // A plain answer instead of a call must not start like one.
    gbnf += "tool-answer ::= [^" + opener + "] .*\n";
    gbnf += "tool-root ::= tool-calls | tool-answer\n";
  } else {
    gbnf += "tool-root ::= tool-calls\n";
  }
  return {gbnf, "tool-root"};
}

}  // namespace slm::grammar
