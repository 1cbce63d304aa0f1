#include "grammar/regex.h"

#include "grammar/regex_ast.h"
#include "grammar/regex_emit.h"

namespace slm::grammar {

std::string regex_to_gbnf(std::string_view pattern) {
  const regex::Pattern parsed = regex::parse(pattern);
  return "root ::= " + regex::emit_pattern(parsed, regex::RawCharStyle()) + "\n";
}

}  // namespace slm::grammar
