// Spells a parsed pattern as a GBNF expression. How one code point set is written
// depends on where the text goes: raw in a plain grammar, JSON-escaped inside a JSON
// string; a CharStyle decides.
#pragma once

#include <string>

#include "grammar/regex_ast.h"

namespace slm::grammar::regex {

class CharStyle {
 public:
  virtual ~CharStyle() = default;
  // An expression matching one character of the set.
  virtual std::string chars(const CharSet& set) const = 0;
  // An expression matching any one character (for unanchored pattern ends).
  virtual std::string any_char() const = 0;
};

// Plain text: one code point per character.
class RawCharStyle : public CharStyle {
 public:
  std::string chars(const CharSet& set) const override;
  std::string any_char() const override;
};

std::string emit_node(const Node& node, const CharStyle& style);
// One branch with `any_char()*` on each unanchored side.
std::string emit_branch(const Branch& branch, const CharStyle& style);
// All branches as one alternation.
std::string emit_pattern(const Pattern& pattern, const CharStyle& style);

}  // namespace slm::grammar::regex
