// Parsed pattern -> GBNF expression.
#include "grammar/regex_emit.h"

#include "grammar/gbnf_text.h"

namespace slm::grammar::regex {

std::string RawCharStyle::chars(const CharSet& set) const { return gbnf::char_class(set); }
std::string RawCharStyle::any_char() const { return gbnf::char_class(CharSet::any()); }

std::string emit_node(const Node& node, const CharStyle& style) {
  switch (node.kind) {
    case Node::Kind::kChars:
      return style.chars(node.chars);
    case Node::Kind::kSequence: {
      if (node.items.empty()) return "\"\"";
      std::string out;
      for (const Node& item : node.items) {
        if (!out.empty()) out += ' ';
        out += emit_node(item, style);
      }
      return node.items.size() == 1 ? out : "(" + out + ")";
    }
    case Node::Kind::kAlternation: {
      std::string out = "(";
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i) out += " | ";
        out += emit_node(node.items[i], style);
      }
      return out + ")";
    }
    case Node::Kind::kRepeat:
      return gbnf::repeat(emit_node(node.items[0], style), node.min, node.max);
  }
  return "\"\"";
}

std::string emit_branch(const Branch& branch, const CharStyle& style) {
  std::string out;
  if (!branch.anchored_start) out += "(" + style.any_char() + ")* ";
  out += emit_node(branch.body, style);
  if (!branch.anchored_end) out += " (" + style.any_char() + ")*";
  return "(" + out + ")";
}

std::string emit_pattern(const Pattern& pattern, const CharStyle& style) {
  std::string out = "(";
  for (size_t i = 0; i < pattern.branches.size(); ++i) {
    if (i) out += " | ";
    out += emit_branch(pattern.branches[i], style);
  }
  return out + ")";
}

}  // namespace slm::grammar::regex
