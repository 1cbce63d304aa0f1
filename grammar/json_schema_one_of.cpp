// oneOf means "exactly one branch", which a grammar (a union) can only express when no
// value matches two branches. We accept oneOf when every pair of branches is provably
// disjoint: different JSON types, disjoint enum/const sets, or objects told apart by a
// required property with disjoint constant values or by a key the other branch forbids.
#include <algorithm>

#include "grammar/json_schema_compiler.h"

namespace slm::grammar::schema {

namespace {

const Json* value_set(const Json& s, Json& storage) {
  if (s.contains("const")) {
    storage = Json::array({s["const"]});
    return &storage;
  }
  if (s.contains("enum") && s["enum"].is_array()) return &s["enum"];
  return nullptr;
}

std::set<std::string> possible_types(const Json& s, const std::string& pointer) {
  Json storage;
  std::set<std::string> out;
  if (const Json* values = value_set(s, storage)) {
    for (const Json& v : *values) {
      if (v.is_null()) out.insert("null");
      else if (v.is_boolean()) out.insert("boolean");
      else if (v.is_number()) out.insert("number");
      else if (v.is_string()) out.insert("string");
      else if (v.is_array()) out.insert("array");
      else out.insert("object");
    }
    return out;
  }
  for (const std::string& t : declared_types(s, pointer)) out.insert(t == "integer" ? "number" : t);
  return out;
}

bool disjoint_values(const Json& a, const Json& b) {
  Json sa;
  Json sb;
  const Json* va = value_set(a, sa);
  const Json* vb = value_set(b, sb);
  if (!va || !vb) return false;
  return std::none_of(va->begin(), va->end(), [&](const Json& x) { return std::find(vb->begin(), vb->end(), x) != vb->end(); });
}

bool requires_key(const Json& s, const std::string& name) {
  if (!s.contains("required") || !s["required"].is_array()) return false;
  const Json& r = s["required"];
  return std::find(r.begin(), r.end(), Json(name)) != r.end();
}

bool forbids_key(const Json& s, const std::string& name) {
  if (s.contains("properties") && s["properties"].contains(name)) {
    const Json& p = s["properties"][name];
    return p.is_boolean() && !p.get<bool>();
  }
  if (s.contains("patternProperties") && !s["patternProperties"].empty()) return false;
  return s.contains("additionalProperties") && s["additionalProperties"].is_boolean() &&
         !s["additionalProperties"].get<bool>();
}

}  // namespace

void Compiler::check_one_of_disjoint(const Json&, const std::vector<Json>& branches, const std::string& pointer,
                                     int depth) {
  std::vector<Json> flat;
  for (size_t i = 0; i < branches.size(); ++i)
    flat.push_back(flatten(branches[i], child_pointer(child_pointer(pointer, "oneOf"), std::to_string(i)), depth + 1));
  auto property = [&](const Json& s, const std::string& name, size_t i) -> Json {
    const Json& p = s["properties"][name];
    return flatten(p, child_pointer(child_pointer(pointer, "oneOf"), std::to_string(i)), depth + 1);
  };
  auto objects_disjoint = [&](const Json& a, size_t ia, const Json& b, size_t ib) {
    if (!a.contains("properties") || !a["properties"].is_object()) return false;
    for (const auto& [name, unused] : a["properties"].items()) {
      if (requires_key(a, name) && forbids_key(b, name)) return true;
      if (!requires_key(a, name) || !requires_key(b, name)) continue;
      if (!b.contains("properties") || !b["properties"].is_object() || !b["properties"].contains(name)) continue;
      if (disjoint_values(property(a, name, ia), property(b, name, ib))) return true;
    }
    return false;
  };
  for (size_t i = 0; i < flat.size(); ++i) {
    for (size_t j = i + 1; j < flat.size(); ++j) {
      const Json& a = flat[i];
      const Json& b = flat[j];
      if (a.is_boolean() || b.is_boolean()) {
        if ((a.is_boolean() && !a.get<bool>()) || (b.is_boolean() && !b.get<bool>())) continue;
      } else {
        const std::set<std::string> ta = possible_types(a, pointer);
        const std::set<std::string> tb = possible_types(b, pointer);
        std::set<std::string> common;
        std::set_intersection(ta.begin(), ta.end(), tb.begin(), tb.end(), std::inserter(common, common.begin()));
        if (common.empty() || disjoint_values(a, b)) continue;
        if (common == std::set<std::string>{"object"} && (objects_disjoint(a, i, b, j) || objects_disjoint(b, j, a, i)))
          continue;
      }
      throw SchemaError("oneOf", pointer,
                        "branches " + std::to_string(i) + " and " + std::to_string(j) +
                            " may both match (oneOf needs provably disjoint branches)");
    }
  }
}

}  // namespace slm::grammar::schema
