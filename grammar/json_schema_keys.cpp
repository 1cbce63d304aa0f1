// Undeclared keys: any key without escapes that differs from every declared name. The
// declared names make a trie with a rule per node; a key may end (with the closing
// quote) wherever no name ends, and leaves the trie by any character no child takes.
// These rules are built as parts (KeyRule) rather than GBNF text: a big schema's tries
// are most of its grammar, and the compiler hands them to the parser as expression
// trees instead of spelling text for the parser to read back.
#include <algorithm>
#include <charconv>
#include <span>

#include "grammar/gbnf_ast.h"
#include "grammar/gbnf_text.h"
#include "grammar/json_schema_compiler.h"

namespace slm::grammar::schema {

namespace {

// Characters an undeclared key may hold: anything JSON allows unescaped.
const regex::CharSet& key_chars() {
  static const regex::CharSet chars = [] {
    regex::CharSet bad;
    bad.add(0, 0x1F);
    bad.add('"', '"');
    bad.add('\\', '\\');
    return bad.complement();
  }();
  return chars;
}

// The non-ASCII ones.
const regex::CharSet& wide_key_chars() {
  static const regex::CharSet chars = key_chars().intersect(regex::CharSet::range(0x80, regex::kMaxCodePoint));
  return chars;
}

// The closing quote of a key, as GBNF.
const std::string& quote_text() {
  static const std::string quote = gbnf::literal("\"");
  return quote;
}

// The trees the GBNF parser makes of the same text (see append_key_rule_text).
grammar::Expr class_expr(std::span<const std::pair<char32_t, char32_t>> ranges) {
  grammar::Expr e;
  e.kind = grammar::Expr::Kind::Class;
  for (const auto& [lo, hi] : ranges) e.set.add(lo, hi);
  e.set = std::move(e.set).without_surrogates();
  return e;
}

grammar::Expr ref_expr(uint32_t rule) {
  grammar::Expr e;
  e.kind = grammar::Expr::Kind::Ref;
  e.rule = rule;
  return e;
}

grammar::Expr quote_expr() {
  grammar::Expr e;
  e.kind = grammar::Expr::Kind::Literal;
  e.bytes = "\"";
  return e;
}

grammar::Expr sequence_expr(grammar::Expr first, grammar::Expr second) {
  grammar::Expr e;
  e.kind = grammar::Expr::Kind::Sequence;
  e.items.reserve(2);
  e.items.push_back(std::move(first));
  e.items.push_back(std::move(second));
  return e;
}

// A parsed alternation of one item is that item.
grammar::Expr alternation_expr(std::vector<grammar::Expr> items) {
  if (items.size() == 1) return std::move(items[0]);
  grammar::Expr e;
  e.kind = items.empty() ? grammar::Expr::Kind::Sequence : grammar::Expr::Kind::Alternation;
  e.items = std::move(items);
  return e;
}

}  // namespace

std::string Compiler::undeclared_key(const std::set<std::string>& declared) {
  std::string id;  // the names as one string, each after its length so that none can run into the next
  for (const std::string& name : declared) id += std::to_string(name.size()) + ":" + name;
  if (const auto it = undeclared_keys_.find(id); it != undeclared_keys_.end()) return it->second;
  // In code-point order, names that share a prefix are neighbours: the trie's nodes are
  // ranges of them (and a name that ends at a node comes first in its range).
  std::vector<std::u32string> names;
  names.reserve(declared.size());
  for (const std::string& name : declared) names.push_back(gbnf::code_points(name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (key_tail_ == kNoKeyRule) {
    key_tail_ = add_key_rule(KeyRule(KeyRule::Kind::kTail));
    key_wide_ = add_key_rule(KeyRule(KeyRule::Kind::kWide));
  }
  const uint32_t first = names.empty() ? key_tail_ : key_node_rule(names, 0);
  std::string key = quote_text() + " " + key_rule_name(first);
  undeclared_keys_.emplace(std::move(id), key);
  return key;
}

uint32_t Compiler::key_node_rule(std::span<const std::u32string> names, size_t depth) {
  // A rule per trie node: text that has left the trie, or ends off a name, is fine.
  KeyRule rule(KeyRule::Kind::kNode);
  rule.terminal = names.front().size() == depth;
  std::u32string taken;
  for (size_t i = rule.terminal ? 1 : 0, end; i < names.size(); i = end) {
    const char32_t c = names[i][depth];
    for (end = i + 1; end < names.size() && names[end][depth] == c;) ++end;
    taken += c;
    if (key_chars().contains(c)) rule.children.emplace_back(c, key_node_rule(names.subspan(i, end - i), depth + 1));
  }
  rule.leave = key_leave_rule(taken);
  // A leaf: past a whole name, only leaving is left.
  if (rule.terminal && rule.children.empty()) return rule.leave;
  return add_key_rule(std::move(rule));
}

uint32_t Compiler::key_leave_rule(const std::u32string& taken) {
  if (const auto it = key_leave_rules_.find(taken); it != key_leave_rules_.end()) return it->second;
  // Any key character but the taken ones leaves the trie: key_chars() without them.
  KeyRule rule(KeyRule::Kind::kLeave);
  std::vector<std::pair<char32_t, char32_t>>& rest = rule.ranges;
  auto next = taken.begin();
  for (auto [first, last] : key_chars().ranges()) {
    for (; next != taken.end() && *next <= last; ++next) {
      if (*next < first) continue;
      if (*next > first) rest.push_back({first, *next - 1});
      first = *next + 1;
    }
    if (first <= last) rest.push_back({first, last});
  }
  // Names are nearly always ASCII: then one shared rule takes every other character,
  // instead of each node spelling out (and the automaton copying) the multi-byte ones.
  rule.wide = taken.empty() || taken.back() < 0x80;
  if (rule.wide) {
    while (!rest.empty() && rest.back().first >= 0x80) rest.pop_back();
    if (!rest.empty() && rest.back().second >= 0x80) rest.back().second = 0x7F;
  }
  return key_leave_rules_.emplace(taken, add_key_rule(std::move(rule))).first->second;
}

uint32_t Compiler::add_key_rule(KeyRule rule) {
  // Equal parts are equal rule bodies (every rule has its own name).
  std::u32string parts;
  parts.reserve(4 + 2 * (rule.ranges.size() + rule.children.size()));
  parts.append({static_cast<char32_t>(rule.kind), rule.wide, rule.terminal, rule.leave});
  for (const auto& [lo, hi] : rule.ranges) parts.append({lo, hi});
  for (const auto& [c, child] : rule.children) parts.append({c, child});
  const auto [it, added] = key_rule_by_parts_.try_emplace(std::move(parts), static_cast<uint32_t>(key_rules_.size()));
  if (!added) return it->second;
  // Charged as the text it stands for, so that the size limit is the same either way.
  key_text_.clear();
  append_key_rule_text(append_key_rule_name(key_text_, it->second), rule);
  charge(key_text_.size() + 6);
  key_rules_.push_back(std::move(rule));
  return it->second;
}

std::string& Compiler::append_key_rule_name(std::string& out, uint32_t index) {
  char digits[10];
  const auto end = std::to_chars(digits, digits + sizeof digits, index).ptr;
  return out.append("Key-").append(digits, end);
}

void Compiler::append_key_rule_text(std::string& out, const KeyRule& rule) const {
  switch (rule.kind) {
    case KeyRule::Kind::kTail:
      out.append(gbnf::char_class(key_chars())).append("* ").append(quote_text());
      return;
    case KeyRule::Kind::kWide:
      append_key_rule_name(out.append(gbnf::char_class(wide_key_chars())).append(" "), key_tail_);
      return;
    case KeyRule::Kind::kLeave: {
      const size_t start = out.size();
      if (!rule.ranges.empty()) append_key_rule_name(out.append(gbnf::char_class(rule.ranges)).append(" "), key_tail_);
      if (rule.wide) append_key_rule_name(out.append(out.size() == start ? "" : " | "), key_wide_);
      return;
    }
    case KeyRule::Kind::kNode: {
      const size_t start = out.size();
      if (!rule.terminal) out.append(quote_text());
      for (const auto& [c, child] : rule.children) {
        const std::pair<char32_t, char32_t> one{c, c};
        out.append(out.size() == start ? "" : " | ").append(gbnf::char_class({&one, 1})).append(" ");
        append_key_rule_name(out, child);
      }
      append_key_rule_name(out.append(" | "), rule.leave);
      return;
    }
  }
}

GbnfAst Compiler::key_rules_ast() const {
  GbnfAst ast;
  ast.rules.reserve(key_rules_.size());
  for (const KeyRule& rule : key_rules_) {
    Rule& r = ast.rules.emplace_back();
    r.name = key_rule_name(static_cast<uint32_t>(ast.rules.size() - 1));
    r.defined = true;
    switch (rule.kind) {
      case KeyRule::Kind::kTail: {
        grammar::Expr chars;
        chars.kind = grammar::Expr::Kind::Repeat;
        chars.unbounded = true;
        chars.items.push_back(class_expr(key_chars().ranges()));
        r.body = sequence_expr(std::move(chars), quote_expr());
        break;
      }
      case KeyRule::Kind::kWide:
        r.body = sequence_expr(class_expr(wide_key_chars().ranges()), ref_expr(key_tail_));
        break;
      case KeyRule::Kind::kLeave: {
        std::vector<grammar::Expr> alternatives;
        if (!rule.ranges.empty()) alternatives.push_back(sequence_expr(class_expr(rule.ranges), ref_expr(key_tail_)));
        if (rule.wide) alternatives.push_back(ref_expr(key_wide_));
        r.body = alternation_expr(std::move(alternatives));
        break;
      }
      case KeyRule::Kind::kNode: {
        std::vector<grammar::Expr> alternatives;
        alternatives.reserve(rule.children.size() + 2);
        if (!rule.terminal) alternatives.push_back(quote_expr());
        for (const auto& [c, child] : rule.children) {
          const std::pair<char32_t, char32_t> one{c, c};
          alternatives.push_back(sequence_expr(class_expr({&one, 1}), ref_expr(child)));
        }
        alternatives.push_back(ref_expr(rule.leave));
        r.body = alternation_expr(std::move(alternatives));
        break;
      }
    }
  }
  return ast;
}

}  // namespace slm::grammar::schema
