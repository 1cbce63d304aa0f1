// JSON Schema -> GBNF: the dispatch. Decisions (the grammar may be narrower than the
// schema, never wider):
// - Properties come in declared order (schema text order; alphabetical from an
//   nlohmann::json), optional ones omissible; undeclared keys, when allowed, come after
//   them, are written without escapes and differ from every declared name.
// - const/enum values are emitted canonically (nlohmann's serialisation: shortest
//   round-trip numbers, minimal string escapes, keys in the schema's order) with
//   flexible whitespace between tokens; so 1.0 accepts "1.0" but not "1", which is equal
//   but spelled differently. Accepting only equal values is what matters.
// - Numbers with bounds are written without exponent and with at most 15 significant
//   digits, so that parsing them as doubles cannot round across a bound.
// - format: see json_schema_formats.cpp; unknown formats are annotations.
#include "grammar/json_schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "grammar/automaton_builder.h"
#include "grammar/gbnf_ast.h"
#include "grammar/gbnf_text.h"
#include "grammar/json_schema_compiler.h"
#include "grammar/ordered_json.h"

namespace slm::grammar {

SchemaError::SchemaError(std::string keyword, std::string pointer, const std::string& reason)
    : Error("json schema: " + reason + (keyword.empty() ? "" : " (keyword \"" + keyword + "\"") +
            (keyword.empty() ? " (at \"" : " at \"") + pointer + "\")"),
      keyword_(std::move(keyword)),
      pointer_(std::move(pointer)) {}

std::string json_schema_to_gbnf(const nlohmann::json& schema, const JsonSchemaOptions& opt) {
  return json_schema_text_to_gbnf(schema.dump(), opt);
}

namespace {
schema::Json parse_schema_text(std::string_view schema_text) {
  try {
    return parse_ordered_json(schema_text);
  } catch (const Error& e) {
    throw Error(std::string("json schema: ") + e.what());
  }
}
}  // namespace

std::string json_schema_text_to_gbnf(std::string_view schema_text, const JsonSchemaOptions& opt) {
  const schema::Json parsed = parse_schema_text(schema_text);
  schema::Compiler compiler(parsed, opt);
  compiler.run();
  return compiler.gbnf(true);
}

std::shared_ptr<const Grammar> compile_json_schema(std::string_view schema_text, const JsonSchemaOptions& opt) {
  const schema::Json parsed = parse_schema_text(schema_text);
  schema::Compiler compiler(parsed, opt);
  compiler.run();
  return compile_parsed(parse_gbnf(compiler.gbnf(false), compiler.key_rules_ast()));
}

namespace schema {

namespace {

constexpr size_t kMaxGrammarBytes = 1 << 20;

// The JSON character classes: any character, and a character counted as one code
// point (no surrogate escapes, which may pair up into one).
const char* kBaseRules =
    "value ::= object | array | string | number | \"true\" | \"false\" | \"null\"\n"
    "object ::= \"{\" WS (string WS \":\" WS value (WS \",\" WS string WS \":\" WS value)*)? WS \"}\"\n"
    "array ::= \"[\" WS (value (WS \",\" WS value)*)? WS \"]\"\n"
    "string ::= \"\\\"\" char* \"\\\"\"\n"
    "number ::= \"-\"? (\"0\" | [1-9] [0-9]*) (\".\" [0-9]+)? ([eE] [-+]? [0-9]+)?\n"
    "char ::= [^\"\\\\\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})\n"
    "cchar ::= [^\"\\\\\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" ([0-9a-cA-CefEF] [0-9a-fA-F]{3} | [dD] [0-7] "
    "[0-9a-fA-F]{2}))\n";

// A rule name from a hint: lower-case letters, digits and dashes. Long hints keep their
// end, the most specific part of a reference ("...core_v1_Container" -> "v1-container"):
// names are read by people debugging a grammar, but every byte of them is parsed again
// at each use, and short ones (suffix included) need no allocation.
std::string sanitize(const std::string& hint) {
  constexpr size_t kMaxName = 10;
  std::string out;
  // Only the end survives the cut below, so only the end is read.
  const std::string_view tail = std::string_view(hint).substr(hint.size() > 2 * kMaxName ? hint.size() - 2 * kMaxName : 0);
  for (char c : tail) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    else if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  if (out.size() > kMaxName) out.erase(0, out.size() - kMaxName);
  while (!out.empty() && out.front() == '-') out.erase(0, 1);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "r" : out;
}

// Whether every keyword but `except` only annotates.
bool only_annotations(const Json& schema, const std::string& except) {
  for (const auto& [key, value] : schema.items())
    if (!is_annotation(key) && key != "$id" && key != except) return false;
  return true;
}

std::string union_of(const std::vector<std::string>& alternatives) {
  if (alternatives.size() == 1) return alternatives[0];
  std::string out = "(";
  for (size_t i = 0; i < alternatives.size(); ++i) out += (i ? " | " : "") + alternatives[i];
  return out + ")";
}

}  // namespace

namespace {
bool contains_ref(const Json& j) {
  if (j.is_object()) {
    for (const auto& [key, v] : j.items())
      if ((key == "$ref" && v.is_string()) || contains_ref(v)) return true;
  } else if (j.is_array()) {
    for (const Json& v : j)
      if (contains_ref(v)) return true;
  }
  return false;
}
}  // namespace

Compiler::Compiler(const Json& root, const JsonSchemaOptions& options)
    : root_(root),
      options_(options),
      compact_(options.compact || options.max_whitespace <= 0),
      has_refs_(contains_ref(root)) {
  for (const char* name : {"root", "value", "object", "array", "string", "number", "char", "cchar", "ws"})
    rule_index_.emplace(name, kBaseRule);
}

void Compiler::charge(size_t bytes) {
  size_ += bytes;
  if (size_ > kMaxGrammarBytes) throw SchemaError("", "", "schema too large (grammar over 1 MiB)");
}

std::string Compiler::reserve_rule(const std::string& hint) {
  const std::string base = sanitize(hint);
  int& suffix = next_suffix_[base];  // resumes where the last rule of this base stopped
  auto numbered = [&] { return std::string(base).append("-").append(std::to_string(++suffix)); };
  // A base that has had a number is taken itself (names are never given back).
  std::string name = suffix == 0 ? base : numbered();
  while (!rule_index_.try_emplace(name, rules_.size()).second) name = numbered();
  rules_.emplace_back(name, "");
  return name;
}

void Compiler::define_rule(const std::string& name, const std::string& body) {
  charge(name.size() + body.size() + 6);
  rules_[rule_index_.at(name)].second = body;
}

std::string Compiler::add_rule(const std::string& hint, const std::string& body) {
  // Schemas repeat themselves (the same object under many properties, the same set of
  // names to keep undeclared keys apart from): one rule serves them all.
  const auto [it, added] = rule_by_body_.try_emplace(body);
  if (!added) return it->second;
  it->second = reserve_rule(hint);
  define_rule(it->second, body);
  return it->second;
}

std::string Compiler::join(std::initializer_list<std::string> parts) const {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

std::string Compiler::literal_value(const Json& value) const {
  if (value.is_object()) {
    std::string out = join({"\"{\"", ws()});
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (!first) out = join({out, comma()});
      first = false;
      out = join({out, gbnf::literal(Json(key).dump()), ws(), "\":\"", ws(), literal_value(item)});
    }
    return "(" + join({out, ws(), "\"}\""}) + ")";
  }
  if (value.is_array()) {
    std::string out = join({"\"[\"", ws()});
    for (size_t i = 0; i < value.size(); ++i) {
      if (i) out = join({out, comma()});
      out = join({out, literal_value(value[i])});
    }
    return "(" + join({out, ws(), "\"]\""}) + ")";
  }
  if (value.is_number()) {
    // Integral values equal every spelling with a zero fraction (1 == 1.0 == 1.00).
    const double d = value.get<double>();
    if (value.is_number_integer() || (std::fabs(d) < 1e15 && d == std::floor(d))) {
      const std::string digits = value.is_number_integer() ? value.dump() : std::to_string(static_cast<int64_t>(d));
      return "(" + gbnf::literal(digits) + " (\".\" \"0\"+)?)";
    }
  }
  return gbnf::literal(value.dump());
}

std::pair<const Json*, std::string> Compiler::resolve_ref(const Json& ref, const std::string& pointer) const {
  const std::string text = ref.get<std::string>();
  if (text.size() > 1 && text[0] == '#' && text[1] != '/') return resolve_anchor(text.substr(1), pointer);
  if (text.empty() || text[0] != '#')
    throw SchemaError("$ref", pointer, "only local JSON-pointer references (\"#\", \"#/...\") are supported");
  std::string decoded;  // URI fragments may percent-encode
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  try {
    const Json::json_pointer ptr(decoded);
    if (!root_.contains(ptr)) throw SchemaError("$ref", pointer, "reference \"" + text + "\" does not resolve");
    return {&root_.at(ptr), decoded};
  } catch (const nlohmann::json::exception&) {
    throw SchemaError("$ref", pointer, "malformed reference \"" + text + "\"");
  }
}

namespace {
// The pointer of the schema declaring `$anchor: name`, searching below `at`.
bool find_anchor(const Json& node, const std::string& name, const std::string& at, std::string* found) {
  if (node.is_object()) {
    if (node.contains("$anchor") && node["$anchor"] == name) {
      *found = at;
      return true;
    }
    for (const auto& [key, v] : node.items())
      if (find_anchor(v, name, child_pointer(at, key), found)) return true;
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i)
      if (find_anchor(node[i], name, child_pointer(at, std::to_string(i)), found)) return true;
  }
  return false;
}
}  // namespace

std::pair<const Json*, std::string> Compiler::resolve_anchor(const std::string& name, const std::string& pointer) const {
  std::string found;
  if (!find_anchor(root_, name, "", &found))
    throw SchemaError("$ref", pointer, "anchor \"#" + name + "\" does not resolve");
  return {&root_.at(Json::json_pointer(found)), found};
}

Expr Compiler::ref_rule(const Json& ref, const std::string& pointer, int depth) {
  // Big schemas name the same definitions over and over: each reference is resolved once
  // (what it resolves to depends on its text alone).
  const std::string& text = ref.get_ref<const std::string&>();
  if (const auto known = ref_rule_by_text_.find(text); known != ref_rule_by_text_.end()) return known->second;
  const auto [target, target_pointer] = resolve_ref(ref, pointer);
  const auto found = ref_rules_.find(target_pointer);
  if (found != ref_rules_.end()) return ref_rule_by_text_.emplace(text, found->second).first->second;
  // Named before its body exists, so that recursive references find it.
  const std::string name = reserve_rule("ref-" + target_pointer.substr(target_pointer.rfind('/') + 1));
  ref_rules_[target_pointer] = name;
  ref_rule_by_text_.emplace(text, name);
  const Expr body = value(*target, target_pointer, depth + 1);
  if (!body) throw SchemaError("$ref", pointer, "reference \"" + ref.get<std::string>() + "\" accepts no value");
  define_rule(name, *body);
  return name;
}

Expr Compiler::value(const Json& schema_in, const std::string& pointer, int depth) {
  if (depth > kMaxDepth) throw SchemaError("", pointer, "schema nests too deeply");
  if (schema_in.is_boolean()) return schema_in.get<bool>() ? Expr("value") : std::nullopt;
  if (!schema_in.is_object()) throw SchemaError("", pointer, "a schema must be an object or a boolean");
  check_keywords(schema_in, pointer, pointer.empty() || !has_refs_);
  // Copies are avoided: subschemas can be large (whole definition sets at the root).
  Json normalized;
  const bool legacy = schema_in.contains("additionalItems") || (schema_in.contains("items") && schema_in["items"].is_array());
  if (legacy) normalized = normalize_legacy_items(schema_in);
  const Json& schema = legacy ? normalized : schema_in;
  if (schema.contains("not")) return value(apply_not(schema, pointer), pointer, depth + 1);
  if (schema.contains("if") && schema["if"].is_boolean()) {
    // A constant condition picks its branch once and for all.
    Json out = schema;
    const char* branch = schema["if"].get<bool>() ? "then" : "else";
    for (const char* k : {"if", "then", "else"}) out.erase(k);
    if (schema.contains(branch)) {
      Json parts = schema.contains("allOf") ? schema["allOf"] : Json::array();
      parts.push_back(schema[branch]);
      out["allOf"] = parts;
    }
    return value(out, pointer, depth + 1);
  }
  if (schema.contains("dependentRequired") || schema.contains("dependentSchemas") || schema.contains("dependencies"))
    return value(expand_dependencies(schema, pointer), pointer, depth + 1);
  if (schema.contains("$ref") || schema.contains("allOf") || schema.contains("unevaluatedProperties") ||
      schema.contains("unevaluatedItems")) {
    if (schema.contains("$ref") && !schema.contains("allOf") && only_annotations(schema, "$ref"))
      return ref_rule(schema["$ref"], pointer, depth);
    const Json flat = flatten(schema, pointer, depth);
    return value(flat, pointer, depth + 1);
  }
  if (schema.contains("oneOf") || schema.contains("anyOf")) return applicator_value(schema, pointer, depth);
  if (schema.contains("enum") || schema.contains("const")) return enum_value(schema, pointer);
  return typed_value(schema, pointer, depth);
}

Json Compiler::apply_not(const Json& schema, const std::string& pointer) {
  // Only "not" of types (or of a boolean schema) has a complement we can write.
  const Json& negated = schema["not"];
  Json out = schema;
  out.erase("not");
  if (negated.is_boolean()) return negated.get<bool>() ? Json(false) : out;
  // Schemas that accept everything ({}) or nothing ("not" of such a schema) have plain
  // complements. Anything deeper could carry annotations ("not" drops them, which
  // unevaluatedProperties/Items would see): left to the checks below.
  const auto accepts_everything = [](const Json& s) { return s.is_object() && only_annotations(s, ""); };
  if (accepts_everything(negated)) return false;
  if (negated.is_object() && negated.contains("not") && only_annotations(negated, "not")) {
    const Json& inner = negated["not"];
    if (inner.is_boolean() || accepts_everything(inner)) return inner.is_boolean() && !inner.get<bool>() ? Json(false) : out;
  }
  if (!negated.is_object() || !only_annotations(negated, "type") || !negated.contains("type"))
    throw SchemaError("not", pointer, "\"not\" is only supported for types");
  const std::set<std::string> removed = declared_types(negated, pointer);
  Json kept = Json::array();
  for (const std::string& t : declared_types(schema, pointer)) {
    if (removed.count(t) || (t == "integer" && removed.count("number"))) continue;
    if (t == "number" && removed.count("integer") && !removed.count("number"))
      throw SchemaError("not", pointer, "\"not\" integer within number is not supported");
    kept.push_back(t);
  }
  if (kept.empty()) return false;
  out["type"] = kept;
  return out;
}

Json Compiler::expand_dependencies(const Json& schema, const std::string& pointer) {
  // "if k is present then S" is "k absent, or k present and S": an anyOf per key.
  Json out = schema;
  out.erase("dependentRequired");
  out.erase("dependentSchemas");
  Json parts = schema.contains("allOf") ? schema["allOf"] : Json::array();
  out.erase("dependencies");
  // Draft 7's "dependencies" holds both kinds: arrays of names and schemas.
  for (const char* keyword : {"dependentRequired", "dependentSchemas", "dependencies"}) {
    if (!schema.contains(keyword)) continue;
    if (!schema[keyword].is_object()) throw SchemaError(keyword, pointer, std::string("\"") + keyword + "\" must be an object");
    for (const auto& [key, then] : schema[keyword].items()) {
      Json present = Json{{"required", Json::array({key})}};
      if (std::string(keyword) == "dependentSchemas" || (std::string(keyword) == "dependencies" && !then.is_array())) {
        present["allOf"] = Json::array({then});
      } else {
        if (!then.is_array()) throw SchemaError(keyword, pointer, "must map names to arrays of names");
        for (const Json& name : then) present["required"].push_back(name);
      }
      parts.push_back(Json{{"anyOf", Json::array({Json{{"properties", Json{{key, false}}}}, present})}});
    }
  }
  out["allOf"] = parts;
  return out;
}

Expr Compiler::applicator_value(const Json& schema, const std::string& pointer, int depth) {
  const bool one_of = schema.contains("oneOf");
  const char* keyword = one_of ? "oneOf" : "anyOf";
  const Json& list = schema[keyword];
  if (!list.is_array() || list.empty()) throw SchemaError(keyword, pointer, "must be a non-empty array");
  const bool bare = only_annotations(schema, keyword);
  Json rest;
  if (!bare) {
    rest = schema;
    rest.erase(keyword);
    rest.erase("$defs");
    rest.erase("definitions");
  }
  std::vector<Json> branches;
  for (const Json& branch : list) {
    if (bare) branches.push_back(branch);
    else branches.push_back(Json{{"allOf", Json::array({rest, branch})}});
  }
  if (one_of) check_one_of_disjoint(schema, branches, pointer, depth);
  std::vector<std::string> alternatives;
  for (size_t i = 0; i < branches.size(); ++i) {
    const std::string branch_pointer = child_pointer(child_pointer(pointer, keyword), std::to_string(i));
    if (Expr e = value(branches[i], branch_pointer, depth + 1)) alternatives.push_back(*e);
  }
  if (alternatives.empty()) return std::nullopt;
  return union_of(alternatives);
}

Expr Compiler::typed_value(const Json& schema, const std::string& pointer, int depth) {
  // No keyword narrows any type: the generic value rule fits.
  if (only_annotations(schema, "")) return std::string("value");
  const std::set<std::string> types = declared_types(schema, pointer);
  std::vector<std::string> alternatives;
  auto add = [&](Expr e) {
    if (e) alternatives.push_back(*e);
  };
  if (types.count("null")) add("\"null\"");
  if (types.count("boolean")) add("(\"true\" | \"false\")");
  if (types.count("number")) add(number_value(schema, pointer, false));
  else if (types.count("integer")) add(number_value(schema, pointer, true));
  if (types.count("string")) add(string_value(schema, pointer));
  if (types.count("array")) add(array_value(schema, pointer, depth));
  if (types.count("object")) add(object_value(schema, pointer, depth));
  if (alternatives.empty()) return std::nullopt;
  return union_of(alternatives);
}

void Compiler::run() {
  const Expr root = value(root_, "", 0);
  if (!root) throw SchemaError("", "", "the schema accepts no value");
  root_rule_ = *root;
}

std::string Compiler::gbnf(bool with_key_rules) const {
  std::string out;
  out.reserve(size_ + root_rule_.size() + 1024);
  out.append("root ::= ").append(root_rule_).append("\n");
  for (const auto& [name, body] : rules_) out.append(name).append(" ::= ").append(body).append("\n");
  for (uint32_t k = 0; with_key_rules && k < key_rules_.size(); ++k) {
    append_key_rule_name(out, k).append(" ::= ");
    append_key_rule_text(out, key_rules_[k]);
    out.append("\n");
  }
  std::string base = kBaseRules;
  std::string ws_rule = compact_ ? "" : "[ \\t\\n]{0," + std::to_string(options_.max_whitespace) + "}";
  for (size_t at = base.find("WS"); at != std::string::npos; at = base.find("WS", at)) {
    // compact: drop the placeholder and its following space
    if (compact_) base.erase(at, 3);
    else base.replace(at, 2, "ws");
  }
  out += base;
  if (!compact_) out += "ws ::= " + ws_rule + "\n";
  return out;
}

}  // namespace schema
}  // namespace slm::grammar
