// enum and const: the listed values that also satisfy the sibling keywords, each
// spelled canonically (see json_schema.cpp for what "canonically" accepts).
#include <algorithm>
#include <cmath>

#include "grammar/json_schema_compiler.h"

namespace slm::grammar::schema {

namespace {

std::string type_of(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

size_t code_points(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool has_type(const Json& v, const std::set<std::string>& types) {
  const std::string t = type_of(v);
  if (types.count(t)) return true;
  if (t == "number" && types.count("integer")) {
    const double d = v.get<double>();
    return v.is_number_integer() || (std::isfinite(d) && d == std::floor(d));
  }
  return false;
}

// Whether `v` satisfies `keyword`, which applies to v's type; SchemaError when we
// cannot evaluate that keyword on a constant.
bool satisfies(const Json& v, const std::string& keyword, const Json& arg, const std::string& pointer) {
  auto need_number = [&] {
    if (!arg.is_number()) throw SchemaError(keyword, pointer, "must be a number");
    return arg.get<double>();
  };
  if (keyword == "minLength") return static_cast<double>(code_points(v.get<std::string>())) >= need_number();
  if (keyword == "maxLength") return static_cast<double>(code_points(v.get<std::string>())) <= need_number();
  if (keyword == "minimum") return v.get<double>() >= need_number();
  if (keyword == "maximum") return v.get<double>() <= need_number();
  if (keyword == "exclusiveMinimum") return v.get<double>() > need_number();
  if (keyword == "exclusiveMaximum") return v.get<double>() < need_number();
  if (keyword == "minItems" || keyword == "minProperties") return static_cast<double>(v.size()) >= need_number();
  if (keyword == "maxItems" || keyword == "maxProperties") return static_cast<double>(v.size()) <= need_number();
  if (keyword == "multipleOf" && arg.is_number_integer() && v.is_number_integer() && arg.get<int64_t>() > 0)
    return v.get<int64_t>() % arg.get<int64_t>() == 0;
  if (keyword == "required" && arg.is_array()) {
    return std::all_of(arg.begin(), arg.end(), [&](const Json& name) { return name.is_string() && v.contains(name.get<std::string>()); });
  }
  if (keyword == "uniqueItems" && arg.is_boolean() && !arg.get<bool>()) return true;
  throw SchemaError(keyword, pointer, "\"" + keyword + "\" next to enum/const is not supported");
}

}  // namespace

Expr Compiler::enum_value(const Json& schema, const std::string& pointer) {
  Json values = Json::array();
  if (schema.contains("const")) values.push_back(schema["const"]);
  if (schema.contains("enum")) {
    const Json& e = schema["enum"];
    if (!e.is_array()) throw SchemaError("enum", pointer, "must be an array");
    if (schema.contains("const")) {
      if (std::find(e.begin(), e.end(), schema["const"]) == e.end()) return std::nullopt;
    } else {
      values = e;
    }
  }
  const std::set<std::string> types = declared_types(schema, pointer);
  std::vector<std::string> alternatives;
  for (const Json& v : values) {
    if (!has_type(v, types)) continue;
    bool ok = true;
    for (const auto& [key, arg] : schema.items()) {
      if (key == "enum" || key == "const" || key == "type" || key == "$id" || is_annotation(key)) continue;
      // A keyword for another type does not constrain v; applicators were resolved
      // before we got here, so what remains outside the type keywords annotates.
      if (!applies_only_to(key, type_of(v))) continue;
      ok = ok && satisfies(v, key, arg, pointer);
    }
    if (!ok) continue;
    const std::string text = literal_value(v);
    if (std::find(alternatives.begin(), alternatives.end(), text) == alternatives.end()) alternatives.push_back(text);
  }
  if (alternatives.empty()) return std::nullopt;
  if (alternatives.size() == 1) return alternatives[0];
  std::string body;
  for (size_t i = 0; i < alternatives.size(); ++i) body += (i ? " | " : "") + alternatives[i];
  return add_rule(pointer.empty() ? "enum" : pointer.substr(pointer.rfind('/') + 1), body);
}

}  // namespace slm::grammar::schema
