// Which keywords we enforce, which only annotate, and which we refuse. Keywords outside
// every JSON Schema vocabulary are annotations by the spec (validators ignore them), so
// they are ignored here too; vocabulary keywords we cannot enforce are errors.
#include <set>
#include <string>

#include "grammar/json_schema_compiler.h"

namespace slm::grammar::schema {

namespace {

const std::set<std::string>& annotations() {
  static const std::set<std::string> k = {
      "title", "description", "default", "examples", "$comment", "$schema", "deprecated", "readOnly", "writeOnly",
      "contentMediaType", "contentEncoding", "contentSchema", "$vocabulary", "$anchor", "$dynamicAnchor",
      "$recursiveAnchor", "$defs", "definitions", "then", "else"};
  return k;
}

const std::set<std::string>& refused() {
  static const std::set<std::string> k = {

      "$dynamicRef", "$recursiveRef"};
  return k;
}

const std::map<std::string, std::string>& type_specific() {
  static const std::map<std::string, std::string> k = {
      {"minLength", "string"},        {"maxLength", "string"},        {"pattern", "string"},
      {"format", "string"},           {"minimum", "number"},          {"maximum", "number"},
      {"exclusiveMinimum", "number"}, {"exclusiveMaximum", "number"}, {"multipleOf", "number"},
      {"items", "array"},             {"prefixItems", "array"},       {"minItems", "array"},
      {"maxItems", "array"},          {"uniqueItems", "array"},       {"additionalItems", "array"},
      {"propertyNames", "object"},    {"contains", "array"},          {"minContains", "array"},       {"maxContains", "array"},
      {"properties", "object"},       {"required", "object"},         {"additionalProperties", "object"},
      {"patternProperties", "object"}, {"minProperties", "object"},   {"maxProperties", "object"}};
  return k;
}

}  // namespace

std::string child_pointer(const std::string& pointer, const std::string& token) {
  std::string out = pointer + "/";
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

bool is_annotation(const std::string& keyword) { return annotations().count(keyword) > 0; }

bool applies_only_to(const std::string& keyword, const std::string& type) {
  const auto it = type_specific().find(keyword);
  return it != type_specific().end() && it->second == type;
}

void check_keywords(const Json& schema, const std::string& pointer, bool allow_id) {
  for (const auto& [key, value] : schema.items()) {
    if (refused().count(key)) throw SchemaError(key, pointer, "keyword \"" + key + "\" is not supported");
    if (key == "if" && !value.is_boolean() && (schema.contains("then") || schema.contains("else")))
      throw SchemaError(key, pointer, "conditional schemas (if/then/else) are supported only with a boolean \"if\"");
    if ((key == "$id" || key == "id") && !allow_id && value.is_string())
      throw SchemaError(key, pointer, "\"" + key + "\" below the root changes reference resolution: not supported");
    if (key == "$ref" && !value.is_string()) throw SchemaError(key, pointer, "\"$ref\" must be a string");
  }
}

Json normalize_legacy_items(const Json& schema) {
  if (!schema.is_object() || !schema.contains("items") || !schema["items"].is_array()) {
    if (schema.is_object() && schema.contains("additionalItems"))
      return [&] {  // without an items array, additionalItems has no effect
        Json copy = schema;
        copy.erase("additionalItems");
        return copy;
      }();
    return schema;
  }
  Json copy = schema;
  copy["prefixItems"] = schema["items"];
  copy.erase("items");
  if (schema.contains("additionalItems")) {
    copy["items"] = schema["additionalItems"];
    copy.erase("additionalItems");
  }
  return copy;
}

}  // namespace slm::grammar::schema

namespace slm::grammar::schema {

std::set<std::string> declared_types(const Json& schema, const std::string& pointer) {
  static const std::set<std::string> kAll = {"null", "boolean", "integer", "number", "string", "array", "object"};
  if (!schema.contains("type")) return kAll;
  const Json& t = schema["type"];
  std::set<std::string> out;
  auto add = [&](const Json& name) {
    if (!name.is_string() || !kAll.count(name.get<std::string>()))
      throw SchemaError("type", pointer, "unknown type " + name.dump());
    out.insert(name.get<std::string>());
  };
  if (t.is_array()) {
    for (const Json& name : t) add(name);
  } else {
    add(t);
  }
  return out;
}

}  // namespace slm::grammar::schema
