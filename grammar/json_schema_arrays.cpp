// Arrays: prefixItems then items, with minItems/maxItems; contains with minContains.
// uniqueItems is enforced only where it cannot fail (at most one item); a grammar
// cannot compare items.
#include <functional>

#include "grammar/gbnf_text.h"
#include "grammar/json_schema_compiler.h"

namespace slm::grammar::schema {

namespace {

std::optional<size_t> count_keyword(const Json& schema, const char* key, const std::string& pointer) {
  if (!schema.contains(key)) return std::nullopt;
  const Json& v = schema[key];
  if (!v.is_number_unsigned() && !(v.is_number_float() && v.get<double>() >= 0 && v.get<double>() == static_cast<double>(static_cast<uint64_t>(v.get<double>()))))
    throw SchemaError(key, pointer, std::string("\"") + key + "\" must be a non-negative integer");
  return static_cast<size_t>(v.get<double>());
}

}  // namespace

Expr Compiler::array_value(const Json& schema, const std::string& pointer, int depth) {
  size_t min_items = count_keyword(schema, "minItems", pointer).value_or(0);
  std::optional<size_t> max_items = count_keyword(schema, "maxItems", pointer);
  std::vector<std::string> prefix;
  bool prefix_cut = false;  // an item of the prefix accepts nothing: no array reaches it
  if (schema.contains("prefixItems")) {
    const Json& items = schema["prefixItems"];
    if (!items.is_array()) throw SchemaError("prefixItems", pointer, "must be an array");
    for (size_t i = 0; i < items.size() && !prefix_cut; ++i) {
      const Expr e = value(items[i], child_pointer(child_pointer(pointer, "prefixItems"), std::to_string(i)), depth + 1);
      if (e) prefix.push_back(*e);
      else prefix_cut = true;
    }
  }
  Expr tail = "value";
  if (prefix_cut) tail.reset();
  else if (schema.contains("items")) tail = value(schema["items"], child_pointer(pointer, "items"), depth + 1);
  if (!tail) max_items = std::min(max_items.value_or(prefix.size()), prefix.size());
  if (max_items && *max_items > 100000) throw SchemaError("maxItems", pointer, "maxItems above 100000 is not supported");
  if (schema.contains("uniqueItems")) {
    const Json& u = schema["uniqueItems"];
    if (!u.is_boolean()) throw SchemaError("uniqueItems", pointer, "must be a boolean");
    if (u.get<bool>() && !(max_items && *max_items <= 1)) {
      if (schema.contains("contains")) throw SchemaError("uniqueItems", pointer, "uniqueItems with contains is not supported");
      return unique_array(schema, pointer, depth, min_items, max_items);
    }
  }
  if (max_items && *max_items < min_items) return std::nullopt;
  if (min_items > 100000) throw SchemaError("minItems", pointer, "minItems above 100000 is not supported");

  if (schema.contains("contains")) return contains_array(schema, pointer, depth, min_items, max_items, tail);

  // Items from index i on, i items already written.
  std::function<std::string(size_t)> from = [&](size_t i) -> std::string {
    const std::string sep = i == 0 ? "" : comma();
    if (i < prefix.size()) {
      if (max_items && i >= *max_items) return "";
      const std::string rest = from(i + 1);
      const std::string here = join({sep, prefix[i], rest});
      return i >= min_items ? "(" + here + ")?" : here;
    }
    const int lo = static_cast<int>(min_items > i ? min_items - i : 0);
    const int hi = max_items ? static_cast<int>(*max_items - i) : regex::kUnbounded;
    if (hi == 0) return "";
    if (i > 0) return gbnf::repeat(join({comma(), *tail}), lo, hi);
    const std::string more = gbnf::repeat(join({comma(), *tail}), lo > 0 ? lo - 1 : 0, hi == regex::kUnbounded ? hi : hi - 1);
    const std::string all = join({*tail, more});
    return lo == 0 ? "(" + all + ")?" : all;
  };
  const std::string inside = from(0);
  return "(" + join({"\"[\"", ws(), inside, ws(), "\"]\""}) + ")";
}

Expr Compiler::contains_array(const Json& schema, const std::string& pointer, int depth, size_t min_items,
                              std::optional<size_t> max_items, const Expr& tail) {
  // At least k items also match "contains": (T ,)* M (, (T ,)* M){k-1} (, T)*, where M
  // is an item matching both. Any array with k matches parses by taking the first k
  // as the M's, and every parse has k. At most k matches (maxContains) would need
  // items that do not match, a complement we cannot write: refused, unless no count
  // can meet both bounds.
  const size_t min_contains = count_keyword(schema, "minContains", pointer).value_or(1);
  const std::optional<size_t> max_contains = count_keyword(schema, "maxContains", pointer);
  if (max_contains && *max_contains < min_contains) return std::nullopt;
  if (min_contains == 0 && !max_contains) {
    Json rest = schema;
    rest.erase("contains");
    rest.erase("minContains");
    return array_value(rest, pointer, depth);
  }
  constexpr size_t kMaxMinContains = 64;
  if (max_contains || schema.contains("prefixItems") || max_items || min_items > min_contains || min_contains > kMaxMinContains)
    throw SchemaError("contains", pointer,
                      "contains is supported only as \"at least k items\" (k <= 64), without maxContains, maxItems or prefixItems");
  if (!tail) return std::nullopt;
  const Json both = Json{{"allOf", Json::array({schema.value("items", Json(true)), schema["contains"]})}};
  const Expr match = value(both, child_pointer(pointer, "contains"), depth + 1);
  if (!match) return std::nullopt;
  const std::string before = gbnf::repeat(join({*tail, comma()}), 0, regex::kUnbounded);
  const std::string after = gbnf::repeat(join({comma(), *tail}), 0, regex::kUnbounded);
  const int more = static_cast<int>(min_contains) - 1;
  const std::string others = more == 0 ? "" : gbnf::repeat(join({comma(), before, *match}), more, more);
  return "(" + join({"\"[\"", ws(), before, *match, others, after, ws(), "\"]\""}) + ")";
}

}  // namespace slm::grammar::schema
