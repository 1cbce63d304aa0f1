#include "grammar/grammar.h"

#include "grammar/automaton_builder.h"
#include "grammar/gbnf_ast.h"
#include "grammar/grammar_checks.h"

namespace slm::grammar {

std::shared_ptr<const Grammar> compile_gbnf(std::string_view gbnf_text, std::string_view root) {
  const GbnfAst ast = parse_gbnf(gbnf_text);
  check_grammar(ast);
  return std::make_shared<const Grammar>(build_automaton(ast, root));
}

}  // namespace slm::grammar
