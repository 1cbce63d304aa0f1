// Turns the checked rules into the byte-level automaton of a Grammar.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "grammar/gbnf_ast.h"
#include "grammar/grammar.h"

namespace slm::grammar {

// `ast` must have passed check_grammar, which gave `nullable_rules`. Throws slm::Error
// when the automaton would exceed kMaxGrammarNodes / kMaxGrammarEdges, or when `root`
// is not a rule.
Grammar::Parts build_automaton(const GbnfAst& ast, std::string_view root, const std::vector<char>& nullable_rules);

// Checks the rules and builds their automaton: compile_gbnf after parsing.
std::shared_ptr<const Grammar> compile_parsed(const GbnfAst& ast, std::string_view root = "root");

}  // namespace slm::grammar
