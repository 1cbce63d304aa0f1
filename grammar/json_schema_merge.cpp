// allOf and $ref-with-siblings: the parts are merged into one schema whose keywords
// say the same as all parts together. Where a keyword's meaning depends on its own
// schema (additionalProperties, items after prefixItems) the merge rewrites it per
// property / position; two values that cannot be combined exactly are a SchemaError.
#include <algorithm>
#include <numeric>
#include <tuple>

#include "grammar/json_schema_compiler.h"

namespace slm::grammar::schema {

namespace {

bool is_true_schema(const Json& s) { return (s.is_boolean() && s.get<bool>()) || (s.is_object() && s.empty()); }
bool is_false_schema(const Json& s) { return s.is_boolean() && !s.get<bool>(); }

Json both(const Json& x, const Json& y) {
  if (is_false_schema(x) || is_false_schema(y)) return false;
  if (is_true_schema(x)) return y;
  if (is_true_schema(y)) return x;
  if (x == y) return x;
  return Json{{"allOf", Json::array({x, y})}};
}

bool has_any(const Json& s, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (s.contains(k)) return true;
  return false;
}

// The schema a property name meets in `s`: its own, else additionalProperties.
Json property_schema(const Json& s, const std::string& name) {
  if (s.contains("properties") && s["properties"].contains(name)) return s["properties"][name];
  if (s.contains("additionalProperties")) return s["additionalProperties"];
  return true;
}

Json additional_schema(const Json& s) { return s.contains("additionalProperties") ? s["additionalProperties"] : Json(true); }

Json item_schema(const Json& s, size_t index) {
  if (s.contains("prefixItems") && index < s["prefixItems"].size()) return s["prefixItems"][index];
  if (s.contains("items")) return s["items"];
  return true;
}

void merge_object_keywords(Json& out, const Json& a, const Json& b, const std::string& pointer) {
  if (!has_any(b, {"properties", "additionalProperties", "patternProperties"})) return;
  if (!has_any(a, {"properties", "additionalProperties", "patternProperties"})) {
    for (const char* k : {"properties", "additionalProperties", "patternProperties"})
      if (b.contains(k)) out[k] = b[k];
    return;
  }
  if (a.contains("patternProperties") || b.contains("patternProperties"))
    throw SchemaError("patternProperties", pointer, "patternProperties combined by allOf with other object keywords");
  Json props = Json::object();
  for (const Json* side : {&a, &b}) {
    if (!side->contains("properties")) continue;
    for (const auto& [name, unused] : (*side)["properties"].items())
      if (!props.contains(name)) props[name] = both(property_schema(a, name), property_schema(b, name));
  }
  out["properties"] = props;
  if (a.contains("additionalProperties") || b.contains("additionalProperties"))
    out["additionalProperties"] = both(additional_schema(a), additional_schema(b));
}

void merge_array_keywords(Json& out, const Json& a, const Json& b) {
  if (!has_any(b, {"prefixItems", "items"})) return;
  if (!has_any(a, {"prefixItems", "items"})) {
    for (const char* k : {"prefixItems", "items"})
      if (b.contains(k)) out[k] = b[k];
    return;
  }
  const size_t n = std::max(a.value("prefixItems", Json::array()).size(), b.value("prefixItems", Json::array()).size());
  Json prefix = Json::array();
  for (size_t i = 0; i < n; ++i) prefix.push_back(both(item_schema(a, i), item_schema(b, i)));
  out.erase("prefixItems");
  if (n) out["prefixItems"] = prefix;
  out.erase("items");
  if (a.contains("items") || b.contains("items")) out["items"] = both(item_schema(a, n), item_schema(b, n));
}

Json intersect_types(const Json& a, const Json& b, const std::string& pointer) {
  const std::set<std::string> ta = declared_types(Json{{"type", a}}, pointer);
  const std::set<std::string> tb = declared_types(Json{{"type", b}}, pointer);
  Json out = Json::array();
  for (const std::string& t : ta) {
    if (tb.count(t)) out.push_back(t);
    else if (t == "number" && tb.count("integer")) out.push_back("integer");
    else if (t == "integer" && tb.count("number")) out.push_back("integer");
  }
  return out;
}

bool json_less(const Json& x, const Json& y) { return x.get<double>() < y.get<double>(); }

}  // namespace

Json merge_schemas(const Json& a, const Json& b, const std::string& pointer) {
  if (is_false_schema(a) || is_false_schema(b)) return false;
  Json out = a;
  merge_object_keywords(out, a, b, pointer);
  merge_array_keywords(out, a, b);
  static const std::set<std::string> kGrouped = {"properties", "additionalProperties", "patternProperties",
                                                 "prefixItems", "items"};
  static const std::set<std::string> kLower = {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"};
  static const std::set<std::string> kUpper = {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"};
  for (const auto& [key, v] : b.items()) {
    if (kGrouped.count(key) || is_annotation(key) || key == "$id") continue;
    if (!out.contains(key)) {
      out[key] = v;
      continue;
    }
    Json& mine = out[key];
    if (mine == v) continue;
    if (key == "type") {
      mine = intersect_types(mine, v, pointer);
      if (mine.empty()) return false;
    } else if (key == "required" && mine.is_array() && v.is_array()) {
      for (const Json& name : v)
        if (std::find(mine.begin(), mine.end(), name) == mine.end()) mine.push_back(name);
    } else if (kLower.count(key) && mine.is_number() && v.is_number()) {
      if (json_less(mine, v)) mine = v;
    } else if (kUpper.count(key) && mine.is_number() && v.is_number()) {
      if (json_less(v, mine)) mine = v;
    } else if (key == "enum" && mine.is_array() && v.is_array()) {
      Json kept = Json::array();
      for (const Json& x : mine)
        if (std::find(v.begin(), v.end(), x) != v.end()) kept.push_back(x);
      if (kept.empty()) return false;
      mine = kept;
    } else if (key == "const") {
      return false;  // two different constants
    } else if (key == "uniqueItems" && mine.is_boolean() && v.is_boolean()) {
      mine = mine.get<bool>() || v.get<bool>();
    } else if (key == "multipleOf" && mine.is_number_integer() && v.is_number_integer() && mine.get<int64_t>() > 0 &&
               v.get<int64_t>() > 0 && mine.get<int64_t>() < (int64_t{1} << 30) && v.get<int64_t>() < (int64_t{1} << 30)) {
      mine = std::lcm(mine.get<int64_t>(), v.get<int64_t>());
    } else if (key == "anyOf" && mine.is_array() && v.is_array()) {
      if (mine.size() * v.size() > 64) throw SchemaError("anyOf", pointer, "schema too large (anyOf in allOf)");
      Json product = Json::array();
      for (const Json& x : mine)
        for (const Json& y : v) product.push_back(Json{{"allOf", Json::array({x, y})}});
      mine = product;
    } else {
      throw SchemaError(key, pointer, "two different \"" + key + "\" values combined by allOf");
    }
  }
  if (out.contains("const") && out.contains("enum")) {
    const Json& e = out["enum"];
    if (!e.is_array() || std::find(e.begin(), e.end(), out["const"]) == e.end()) return false;
    out.erase("enum");
  }
  return out;
}

Json Compiler::flatten(const Json& schema, const std::string& pointer, int depth) {
  if (depth > kMaxDepth) throw SchemaError("$ref", pointer, "references or allOf nest too deeply");
  if (schema.is_boolean()) return schema.get<bool>() ? Json::object() : Json(false);
  if (!schema.is_object()) throw SchemaError("", pointer, "a schema must be an object or a boolean");
  check_keywords(schema, pointer, pointer.empty() || !has_refs_);
  Json result = normalize_legacy_items(schema);
  result.erase("$ref");
  result.erase("allOf");
  result.erase("$defs");
  result.erase("definitions");
  if (schema.contains("$ref")) {
    const auto [target, target_pointer] = resolve_ref(schema["$ref"], pointer);
    result = merge_schemas(result, flatten(*target, target_pointer, depth + 1), pointer);
  }
  // unevaluated*: what no adjacent keyword or merged part evaluated. Once every part is
  // merged, that is exactly what additionalProperties / items of the result would see.
  const Json unevaluated_properties = result.value("unevaluatedProperties", Json());
  const Json unevaluated_items = result.value("unevaluatedItems", Json());
  result.erase("unevaluatedProperties");
  result.erase("unevaluatedItems");
  if (schema.contains("allOf")) {
    const Json& parts = schema["allOf"];
    if (!parts.is_array() || parts.empty()) throw SchemaError("allOf", pointer, "must be a non-empty array");
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string part_pointer = child_pointer(child_pointer(pointer, "allOf"), std::to_string(i));
      result = merge_schemas(result, flatten(parts[i], part_pointer, depth + 1), pointer);
    }
  }
  if (result.is_boolean()) return result;
  for (const auto& [keyword, uneval, evaluator] : {std::tuple{"unevaluatedProperties", &unevaluated_properties, "additionalProperties"},
                                                  std::tuple{"unevaluatedItems", &unevaluated_items, "items"}}) {
    if (uneval->is_null()) continue;
    for (const char* applicator : {"anyOf", "oneOf", "if", "not", "contains"})
      if (result.contains(applicator))
        throw SchemaError(keyword, pointer, std::string(keyword) + " next to " + applicator + " is not supported");
    if (!result.contains(evaluator)) result[evaluator] = *uneval;
  }
  return result;
}

}  // namespace slm::grammar::schema
