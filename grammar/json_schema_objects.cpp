// Objects. Declared properties come first, in declared order, each optional unless
// required; then undeclared keys when allowed. Undeclared keys are written without
// escapes and differ from every declared name, so no key can repeat a declared one
// (a repeated key would let its last value dodge the declared schema). Undeclared keys
// may repeat among themselves, so they never count towards minProperties.
#include <functional>
#include <map>
#include <tuple>

#include "grammar/gbnf_text.h"
#include "grammar/json_schema_compiler.h"
#include "grammar/regex_emit.h"

namespace slm::grammar::schema {

namespace {

struct Member {
  std::string kv;  // key, colon and value
  bool required = false;
};

}  // namespace

Expr Compiler::object_value(const Json& schema, const std::string& pointer, int depth) {
  for (const char* k : {"properties", "patternProperties"})
    if (schema.contains(k) && !schema[k].is_object()) throw SchemaError(k, pointer, std::string("\"") + k + "\" must be an object");
  if (schema.contains("required") && !schema["required"].is_array()) throw SchemaError("required", pointer, "must be an array");
  const Json no_properties = Json::object();
  const Json& props = schema.contains("properties") ? schema["properties"] : no_properties;
  Json additional = schema.contains("additionalProperties") ? schema["additionalProperties"]
                                                            : Json(options_.allow_additional_properties);
  std::set<std::string> required;
  if (schema.contains("required"))
    for (const Json& r : schema["required"]) {
      if (!r.is_string()) throw SchemaError("required", pointer, "must list strings");
      required.insert(r.get<std::string>());
    }

  // patternProperties: supported when they change nothing we emit (all their schemas
  // accept anything and undeclared keys are allowed), or when they are the only way
  // to add keys (no declared properties, additionalProperties false, one schema).
  // Or when every pattern matches every key (".*", "", "^\\w*"): then their schemas
  // apply to every member and additionalProperties to none.
  std::optional<std::string> pattern_key;  // the key expression for pattern-matched keys
  Json pattern_schema = true;
  std::optional<Json> every_member;  // the schema every member's value must meet
  if (schema.contains("patternProperties") && !schema["patternProperties"].empty()) {
    const Json& pp = schema["patternProperties"];
    Json universal = Json::array();
    for (const auto& [pat, sub] : pp.items()) {
      try {
        if (regex::matches_every_string(regex::parse(pat))) universal.push_back(sub);
      } catch (const Error& e) {
        throw SchemaError("patternProperties", pointer, e.what());
      }
    }
    if (universal.size() == pp.size()) {
      every_member = Json{{"allOf", universal}};
      additional = *every_member;
    }
    bool all_true = true;
    for (const auto& [pat, sub] : pp.items())
      if (!(sub.is_boolean() && sub.get<bool>()) && !(sub.is_object() && sub.empty())) all_true = false;
    const bool additional_false = additional.is_boolean() && !additional.get<bool>();
    if (every_member) {
      // handled through `additional` and the declared members below
    } else if (all_true && !additional_false) {
      // keys matching a pattern may take any value; we give them additionalProperties' schema: narrower
    } else if (props.empty() && additional_false && required.empty()) {
      std::vector<std::string> alts;
      const Json& first = pp.begin().value();
      for (const auto& [pat, sub] : pp.items()) {
        if (sub != first) throw SchemaError("patternProperties", pointer, "patterns with different schemas are not supported");
        regex::Pattern parsed;
        try {
          parsed = regex::parse(pat);
        } catch (const Error& e) {
          throw SchemaError("patternProperties", pointer, e.what());
        }
        alts.push_back(pattern_string(parsed, 0, std::nullopt, "patternProperties", pointer));
      }
      std::string keys;
      for (size_t i = 0; i < alts.size(); ++i) keys += (i ? " | " : "") + alts[i];
      pattern_key = gbnf::literal("\"") + " (" + keys + ") " + gbnf::literal("\"");
      pattern_schema = first;
      additional = true;
    } else {
      throw SchemaError("patternProperties", pointer, "patternProperties next to properties or additionalProperties is not supported");
    }
  }

  // propertyNames: keys are strings valid against its schema. Declared names would
  // have to be checked against it, so only objects without them are supported.
  std::optional<std::string> named_key;
  if (schema.contains("propertyNames")) {
    const Json& names_schema = schema["propertyNames"];
    const bool trivial = (names_schema.is_boolean() && names_schema.get<bool>()) || (names_schema.is_object() && names_schema.empty());
    if (!trivial) {
      if (!props.empty() || !required.empty() || pattern_key)
        throw SchemaError("propertyNames", pointer, "propertyNames next to properties, required or patternProperties is not supported");
      const Json key_schema = Json{{"allOf", Json::array({names_schema, Json{{"type", "string"}}})}};
      const Expr k = value(key_schema, child_pointer(pointer, "propertyNames"), depth + 1);
      if (k) named_key = *k;
      else additional = false;
    }
  }

  auto kv = [&](const std::string& key_expr, const std::string& value_expr) {
    return join({key_expr, ws(), "\":\"", ws(), value_expr});
  };
  std::vector<Member> members;
  std::set<std::string> declared;  // names an undeclared key must differ from
  const std::string props_pointer = child_pointer(pointer, "properties");
  for (const auto& [name, sub] : props.items()) {
    declared.insert(name);
    const Json both = every_member ? Json{{"allOf", Json::array({sub, *every_member})}} : Json();
    const Expr v = value(every_member ? both : sub, child_pointer(props_pointer, name), depth + 1);
    if (!v) {
      if (required.count(name)) return std::nullopt;
      continue;
    }
    // A member appears in two rules (first or after a comma): long ones get a rule of their own.
    std::string member = kv(gbnf::literal(Json(name).dump()), *v);
    if (member.size() > 48) member = add_rule(name, member);
    members.push_back({member, required.count(name) > 0});
  }
  std::set<std::string> placed;  // required names in the order the schema lists them
  for (const Json& listed : schema.value("required", Json::array())) {
    const std::string name = listed.get<std::string>();
    if (props.contains(name) || !placed.insert(name).second) continue;
    declared.insert(name);
    const bool additional_forbidden = (schema.contains("additionalProperties") || every_member) && additional.is_boolean() && !additional.get<bool>();
    if (additional_forbidden) return std::nullopt;
    const Expr v = schema.contains("additionalProperties") || every_member ? value(additional, child_pointer(pointer, "additionalProperties"), depth + 1)
                                                           : Expr("value");
    if (!v) return std::nullopt;
    members.push_back({kv(gbnf::literal(Json(name).dump()), *v), true});
  }

  // Undeclared members.
  std::optional<std::string> extra;
  if (pattern_key) {
    if (const Expr v = value(pattern_schema, child_pointer(pointer, "patternProperties"), depth + 1)) extra = kv(*pattern_key, *v);
  } else if (named_key && !(additional.is_boolean() && !additional.get<bool>())) {
    if (const Expr v = value(additional, child_pointer(pointer, "additionalProperties"), depth + 1)) extra = kv(*named_key, *v);
  } else if (!(additional.is_boolean() && !additional.get<bool>())) {
    const Expr v = value(additional, child_pointer(pointer, "additionalProperties"), depth + 1);
    if (v) extra = kv(undeclared_key(declared), *v);
  }

  // Property counts: states (member index, members so far, first?) as rules.
  if (schema.contains("minProperties") && !schema["minProperties"].is_number_unsigned())
    throw SchemaError("minProperties", pointer, "must be a non-negative integer");
  if (schema.contains("maxProperties") && !schema["maxProperties"].is_number_unsigned())
    throw SchemaError("maxProperties", pointer, "must be a non-negative integer");
  const size_t min_props = schema.value("minProperties", size_t{0});
  const std::optional<size_t> max_props =
      schema.contains("maxProperties") ? std::optional<size_t>(schema["maxProperties"].get<size_t>()) : std::nullopt;
  const size_t cap = max_props ? *max_props : min_props;
  if ((members.size() + 1) * (cap + 1) > 4096) throw SchemaError("maxProperties", pointer, "schema too large (property counts)");
  const std::string rule_hint = pointer.empty() ? "obj" : pointer.substr(pointer.rfind('/') + 1);
  std::map<std::tuple<size_t, size_t, bool>, Expr> memo;
  std::function<Expr(size_t, size_t, bool)> rest = [&](size_t i, size_t count, bool first) -> Expr {
    const auto key = std::make_tuple(i, count, first);
    if (const auto it = memo.find(key); it != memo.end()) return it->second;
    std::vector<std::string> alts;
    if (i == members.size()) {
      const bool room = !max_props || count < *max_props;
      const int left = max_props ? static_cast<int>(*max_props - count) : regex::kUnbounded;
      if (count + 1 == min_props && extra && room) {
        // One undeclared member cannot repeat a key, so it may make up the last one.
        if (first) alts.push_back(join({*extra, gbnf::repeat(join({comma(), *extra}), 0, left == regex::kUnbounded ? left : left - 1)}));
        else alts.push_back(gbnf::repeat(join({comma(), *extra}), 1, left));
      } else if (count >= min_props) {
        if (!extra || !room) alts.push_back("\"\"");
        else if (first) alts.push_back("(" + *extra + " " + gbnf::repeat(join({comma(), *extra}), 0, left == regex::kUnbounded ? left : left - 1) + ")?");
        else alts.push_back(gbnf::repeat(join({comma(), *extra}), 0, left));
      }
    } else {
      const Member& m = members[i];
      const size_t next = max_props ? count + 1 : std::min(count + 1, cap);
      if (!max_props || count < *max_props)
        if (const Expr after = rest(i + 1, next, false)) alts.push_back(join({first ? "" : comma(), m.kv, *after}));
      if (!m.required)
        if (const Expr skip = rest(i + 1, count, first)) alts.push_back(*skip);
    }
    Expr out;
    if (!alts.empty()) {
      std::string body;
      for (size_t a = 0; a < alts.size(); ++a) body += (a ? " | " : "") + alts[a];
      out = alts.size() == 1 && i == members.size() ? body : add_rule(rule_hint, body);
    }
    memo[key] = out;
    return out;
  };
  const Expr inside = rest(0, 0, true);
  if (!inside) return std::nullopt;
  return "(" + join({"\"{\"", ws(), *inside, ws(), "\"}\""}) + ")";
}

}  // namespace slm::grammar::schema
