// The parsed form of a GBNF text: rules whose bodies are expression trees. Every rule
// keeps where it came from so later checks can report "gbnf line L col C: ..." (the
// parser reports errors inside a body itself).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grammar/codepoint_set.h"

namespace slm::grammar {

struct SourcePos {
  uint32_t line = 1;
  uint32_t col = 1;
};

struct Expr {
  enum class Kind { Literal, Class, Ref, Sequence, Alternation, Repeat };
  Kind kind = Kind::Sequence;
  std::string bytes;        // Literal: UTF-8 bytes, possibly empty
  CodepointSet set;         // Class: code points, surrogates removed
  uint32_t rule = 0;        // Ref: index into GbnfAst::rules
  std::vector<Expr> items;  // Sequence, Alternation; Repeat: exactly one
  uint32_t min = 0;         // Repeat
  uint32_t max = 0;         // Repeat, ignored when unbounded
  bool unbounded = false;   // Repeat
};

struct Rule {
  std::string name;
  Expr body;
  SourcePos pos;         // definition, or first reference while undefined
  bool defined = false;
};

struct GbnfAst {
  std::vector<Rule> rules;
};

// Largest count accepted in {m,n}; larger ones are an error rather than a huge automaton.
inline constexpr uint32_t kMaxRepeatCount = 100000;

// Parses llama.cpp-style GBNF. Throws slm::Error "gbnf line L col C: what" on a syntax
// error; undefined rules are left with defined == false for check_grammar to report.
// The rules of `given` (all defined) come first in the result, and the text may refer to
// them by name: so a generator can hand over rules it has as trees without spelling them.
GbnfAst parse_gbnf(std::string_view text, GbnfAst given = {});

// "gbnf line L col C: what"
[[noreturn]] void throw_gbnf_error(SourcePos pos, const std::string& what);

}  // namespace slm::grammar
