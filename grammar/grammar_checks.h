// Checks on a parsed grammar that make matching safe: every referenced rule exists, no
// rule can call itself without consuming input (the matcher would recurse forever), and
// every rule can finish (otherwise generation could walk into a dead end).
#pragma once

#include "grammar/gbnf_ast.h"

namespace slm::grammar {

// Throws slm::Error "gbnf line L col C: what" on the first problem.
void check_grammar(const GbnfAst& ast);

}  // namespace slm::grammar
