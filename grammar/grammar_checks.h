// Checks on a parsed grammar that make matching safe: every referenced rule exists, no
// rule can call itself without consuming input (the matcher would recurse forever), and
// every rule can finish (otherwise generation could walk into a dead end).
#pragma once

#include <vector>

#include "grammar/gbnf_ast.h"

namespace slm::grammar {

// Throws slm::Error "gbnf line L col C: what" on the first problem. Returns, per rule,
// whether it can match the empty string.
std::vector<char> check_grammar(const GbnfAst& ast);

// Whether `e` can match the empty string, given what check_grammar returned.
bool derives_empty(const Expr& e, const std::vector<char>& rule_nullable);

}  // namespace slm::grammar
