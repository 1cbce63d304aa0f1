// Splits template source into tokens the way jinja2's lexer does with
// trim_blocks=True and lstrip_blocks=True: whitespace control ({%- -%} {%+ +%}),
// comments dropped, {% raw %} kept as text, newlines normalized to "\n" and
// one trailing newline removed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace slm::jinja {

enum class TokenType { Data, VariableBegin, VariableEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End };

struct Token {
  TokenType type;
  std::string value;  // Data text, name, decoded string literal, number text, operator
  int line;
};

// Throws TemplateError with "line N: ..." for lexical errors.
std::vector<Token> tokenize(std::string_view source);

}  // namespace slm::jinja
