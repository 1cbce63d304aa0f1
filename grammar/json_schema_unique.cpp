// uniqueItems. A grammar cannot compare arbitrary items, but when every position takes
// its values from a small finite set (booleans, null, enum, const) the set of values
// already used is a finite state: one rule per (position, used values).
#include <algorithm>
#include <functional>
#include <map>

#include "grammar/json_schema_compiler.h"

namespace slm::grammar::schema {

namespace {

constexpr size_t kMaxUniqueValues = 8;  // 2^8 used-value sets per position

bool has_declared_type(const Json& v, const std::set<std::string>& types) {
  if (v.is_null()) return types.count("null") > 0;
  if (v.is_boolean()) return types.count("boolean") > 0;
  if (v.is_number_integer()) return types.count("integer") || types.count("number");
  if (v.is_number()) return types.count("number") > 0;
  if (v.is_string()) return types.count("string") > 0;
  if (v.is_array()) return types.count("array") > 0;
  return types.count("object") > 0;
}

}  // namespace

Expr Compiler::unique_array(const Json& schema, const std::string& pointer, int depth, size_t min_items,
                            std::optional<size_t> max_items) {
  auto refuse = [&] {
    return SchemaError("uniqueItems", pointer, "uniqueItems is supported only for items from a small finite set of values");
  };
  // The values one item schema allows, when they are few and known.
  auto domain = [&](const Json& item, const std::string& item_pointer) {
    const Json flat = flatten(item, item_pointer, depth + 1);
    if (flat.is_boolean()) return std::vector<Json>{};  // false: nothing (true was turned into {})
    for (const auto& [key, v] : flat.items())
      if (key != "type" && key != "enum" && key != "const" && !is_annotation(key)) throw refuse();
    const std::set<std::string> types = declared_types(flat, item_pointer);
    Json candidates;
    if (flat.contains("const")) candidates = Json::array({flat["const"]});
    else if (flat.contains("enum") && flat["enum"].is_array()) candidates = flat["enum"];
    else if (flat.contains("type") && std::all_of(types.begin(), types.end(), [](const std::string& t) { return t == "boolean" || t == "null"; }))
      candidates = Json::array({true, false, nullptr});
    else throw refuse();
    std::vector<Json> out;
    for (const Json& v : candidates)
      if (has_declared_type(v, types) && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    return out;
  };
  std::vector<std::vector<Json>> positions;  // prefix positions, then the tail's domain
  const Json prefix = schema.value("prefixItems", Json::array());
  for (size_t i = 0; i < prefix.size(); ++i)
    positions.push_back(domain(prefix[i], child_pointer(child_pointer(pointer, "prefixItems"), std::to_string(i))));
  const bool has_tail = !(schema.contains("items") && schema["items"].is_boolean() && !schema["items"].get<bool>());
  if (has_tail) {
    if (!schema.contains("items")) {
      if (!max_items || *max_items > prefix.size()) throw refuse();
    } else {
      positions.push_back(domain(schema["items"], child_pointer(pointer, "items")));
    }
  }
  std::vector<Json> universe;
  for (const auto& values : positions)
    for (const Json& v : values)
      if (std::find(universe.begin(), universe.end(), v) == universe.end()) universe.push_back(v);
  if (universe.size() > kMaxUniqueValues) throw refuse();
  auto index_of = [&](const Json& v) { return static_cast<size_t>(std::find(universe.begin(), universe.end(), v) - universe.begin()); };
  const size_t limit = std::min(max_items.value_or(SIZE_MAX), has_tail ? prefix.size() + universe.size() : prefix.size());

  // Items from index i on, the values in `used` already taken.
  std::map<std::pair<size_t, unsigned>, Expr> memo;
  std::function<Expr(size_t, unsigned)> from = [&](size_t i, unsigned used) -> Expr {
    const auto key = std::make_pair(i, used);
    if (const auto it = memo.find(key); it != memo.end()) return it->second;
    std::vector<std::string> alts;
    if (i >= min_items) alts.push_back("\"\"");
    if (i < limit) {
      for (const Json& v : positions[std::min(i, positions.size() - 1)]) {
        const unsigned bit = 1u << index_of(v);
        if (used & bit) continue;
        if (const Expr rest = from(i + 1, used | bit))
          alts.push_back(join({i == 0 ? "" : comma(), literal_value(v), *rest}));
      }
    }
    Expr out;
    if (!alts.empty()) {
      std::string body;
      for (size_t a = 0; a < alts.size(); ++a) body += (a ? " | " : "") + alts[a];
      out = add_rule("unique", body);
    }
    memo[key] = out;
    return out;
  };
  if (positions.empty()) return min_items == 0 ? Expr("(" + join({"\"[\"", ws(), "\"]\""}) + ")") : std::nullopt;
  const Expr inside = from(0, 0);
  if (!inside) return std::nullopt;
  return "(" + join({"\"[\"", ws(), *inside, ws(), "\"]\""}) + ")";
}

}  // namespace slm::grammar::schema
