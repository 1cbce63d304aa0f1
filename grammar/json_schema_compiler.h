// The JSON Schema compiler's internals, shared by the files that each handle one part
// of the vocabulary (merging, numbers, strings, objects, arrays).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "grammar/json_schema.h"
#include "grammar/regex_ast.h"

namespace slm::grammar {
struct GbnfAst;
}

namespace slm::grammar::schema {

using Json = nlohmann::ordered_json;

// Deepest nesting of schemas (and of $ref/allOf chains) we follow.
inline constexpr int kMaxDepth = 48;
// A GBNF expression, or nothing when no JSON value matches.
using Expr = std::optional<std::string>;

std::string child_pointer(const std::string& pointer, const std::string& token);

// Keyword classification (json_schema_keywords.cpp). Throws SchemaError for keywords
// of the 2020-12 vocabulary (or older drafts) that we cannot enforce.
// allow_id: $id/id may appear (at the root, or anywhere in a document without $ref).
void check_keywords(const Json& schema, const std::string& pointer, bool allow_id);
bool is_annotation(const std::string& keyword);
// True when the keyword constrains only values of that JSON type ("string", ...).
bool applies_only_to(const std::string& keyword, const std::string& type);
// Draft 7's items-array/additionalItems spelled as prefixItems/items.
Json normalize_legacy_items(const Json& schema);

// Schema merging for allOf and $ref with siblings (json_schema_merge.cpp). Both are
// objects without $ref/allOf; the result may be `false`.
Json merge_schemas(const Json& a, const Json& b, const std::string& pointer);

// The "type" keyword as a set of names, or all seven when absent; SchemaError when malformed.
std::set<std::string> declared_types(const Json& schema, const std::string& pointer);

// A rule of the undeclared-key tries (json_schema_keys.cpp), kept as its parts. These
// rules are most of a big schema's grammar: they are spelled as GBNF text only when the
// text is asked for, and otherwise handed to the GBNF parser as expression trees.
struct KeyRule {
  enum class Kind : uint8_t {
    kTail,   // the rest of a key that has left the trie: key characters, then the quote
    kWide,   // a non-ASCII key character, then kTail
    kLeave,  // a character of `ranges`, then kTail; or (when `wide`) kWide
    kNode,   // a trie node: the closing quote unless `terminal`, a child's character and
             // its rule, or the `leave` rule
  };
  explicit KeyRule(Kind k) : kind(k) {}
  Kind kind;
  bool wide = false;      // kLeave
  bool terminal = false;  // kNode: a declared name ends here
  std::vector<std::pair<char32_t, char32_t>> ranges;    // kLeave, sorted and disjoint
  std::vector<std::pair<char32_t, uint32_t>> children;  // kNode: character, index of its key rule
  uint32_t leave = 0;                                   // kNode: index of a kLeave rule
};

class Compiler {
 public:
  Compiler(const Json& root, const JsonSchemaOptions& options);
  // Compiles the schema; then gbnf() and key_rules_ast() give the result.
  void run();
  // The grammar as GBNF text with root rule "root". Without key rules, the text refers to
  // rules it does not define: those of key_rules_ast(), which the parser takes as given.
  std::string gbnf(bool with_key_rules) const;
  GbnfAst key_rules_ast() const;

  // The grammar for values valid against `schema` (found at `pointer`).
  Expr value(const Json& schema, const std::string& pointer, int depth);
  // Adds a rule, or finds the one with the same body; returns its name.
  std::string add_rule(const std::string& hint, const std::string& body);
  // A rule named before its body exists (for recursion); define_rule fills it in.
  std::string reserve_rule(const std::string& hint);
  void define_rule(const std::string& name, const std::string& body);
  // Whitespace between tokens ("" when compact) and the separators built from it.
  std::string ws() const { return compact_ ? "" : "ws"; }
  std::string join(std::initializer_list<std::string> parts) const;
  std::string comma() const { return join({ws(), "\",\"", ws()}); }
  // A JSON value spelled canonically, whitespace allowed between tokens.
  std::string literal_value(const Json& value) const;
  const JsonSchemaOptions& options() const { return options_; }
  // Resolves a local reference ("#", "#/a/b") to the schema and its pointer.
  std::pair<const Json*, std::string> resolve_ref(const Json& ref, const std::string& pointer) const;
  std::pair<const Json*, std::string> resolve_anchor(const std::string& name, const std::string& pointer) const;
  // The schema without "not", its types narrowed; SchemaError unless "not" only names types.
  Json apply_not(const Json& schema, const std::string& pointer);
  // dependentRequired / dependentSchemas rewritten as allOf of anyOf.
  Json expand_dependencies(const Json& schema, const std::string& pointer);
  // The schema with $ref and allOf merged in (json_schema_merge.cpp).
  Json flatten(const Json& schema, const std::string& pointer, int depth);

  Expr number_value(const Json& schema, const std::string& pointer, bool integer_only);
  Expr string_value(const Json& schema, const std::string& pointer);
  Expr object_value(const Json& schema, const std::string& pointer, int depth);
  Expr array_value(const Json& schema, const std::string& pointer, int depth);
  // uniqueItems over items drawn from a small finite set of values (json_schema_unique.cpp).
  Expr unique_array(const Json& schema, const std::string& pointer, int depth, size_t min_items,
                    std::optional<size_t> max_items);
  Expr contains_array(const Json& schema, const std::string& pointer, int depth, size_t min_items,
                      std::optional<size_t> max_items, const Expr& tail);
  // A JSON string literal (with quotes) whose decoded text matches `pattern`
  // restricted to [min_len, max_len] code points; SchemaError when not exact.
  std::string pattern_string(const regex::Pattern& pattern, size_t min_len, std::optional<size_t> max_len,
                             const std::string& keyword, const std::string& pointer);

 private:
  Expr ref_rule(const Json& ref, const std::string& pointer, int depth);
  // The key of an undeclared member (quotes included): any key without escapes that is
  // none of `declared`. One rule set per distinct set of names.
  std::string undeclared_key(const std::set<std::string>& declared);
  // The rest of an undeclared key that leaves the name trie at a node whose children
  // are the sorted characters `taken`: one rule per distinct set, shared by all tries.
  uint32_t key_leave_rule(const std::u32string& taken);
  // The key rule of the trie node `depth` code points deep whose names (sorted, distinct)
  // are `names`.
  uint32_t key_node_rule(std::span<const std::u32string> names, size_t depth);
  // The index of the key rule equal to `rule` (as add_rule does for text rules).
  uint32_t add_key_rule(KeyRule rule);
  // "Key-N" for key rule N: the only rule names with a capital letter (sanitize makes
  // none), so they need no claim among the others.
  static std::string& append_key_rule_name(std::string& out, uint32_t index);
  static std::string key_rule_name(uint32_t index) {
    std::string name;
    return append_key_rule_name(name, index);
  }
  void append_key_rule_text(std::string& out, const KeyRule& rule) const;
  Expr applicator_value(const Json& schema, const std::string& pointer, int depth);
  Expr enum_value(const Json& schema, const std::string& pointer);
  Expr typed_value(const Json& schema, const std::string& pointer, int depth);
  void check_one_of_disjoint(const Json& schema, const std::vector<Json>& branches, const std::string& pointer,
                             int depth);
  void charge(size_t bytes);

  const Json& root_;
  JsonSchemaOptions options_;
  bool compact_;
  bool has_refs_;  // nested $id/id then changes what references mean: refused
  std::vector<std::pair<std::string, std::string>> rules_;
  // Every name taken -> its index in rules_ (kBaseRule for the fixed rules run() adds).
  static constexpr size_t kBaseRule = SIZE_MAX;
  std::unordered_map<std::string, size_t> rule_index_;
  std::unordered_map<std::string, int> next_suffix_;
  std::unordered_map<std::string, std::string> rule_by_body_;  // rules made by add_rule
  std::string root_rule_;  // the root rule's body, once run
  std::vector<KeyRule> key_rules_;
  std::unordered_map<std::u32string, uint32_t> key_rule_by_parts_;
  static constexpr uint32_t kNoKeyRule = UINT32_MAX;
  uint32_t key_tail_ = kNoKeyRule;  // the kTail and kWide rules, made on first need
  uint32_t key_wide_ = kNoKeyRule;
  std::unordered_map<std::u32string, uint32_t> key_leave_rules_;  // taken characters -> kLeave rule
  std::string key_text_;  // add_key_rule's scratch
  std::unordered_map<std::string, std::string> undeclared_keys_;  // declared names -> rule for any other key
  std::map<std::string, std::string> ref_rules_;  // resolved pointer -> rule name
  std::unordered_map<std::string, std::string> ref_rule_by_text_;  // $ref text -> rule name
  size_t size_ = 0;
};

}  // namespace slm::grammar::schema
