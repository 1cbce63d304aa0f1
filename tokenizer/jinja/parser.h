// Builds the syntax tree from tokens, following jinja2's grammar and precedence.
#pragma once

#include <memory>
#include <string_view>

#include "tokenizer/jinja/ast.h"

namespace slm::jinja {

inline constexpr int kMaxExprDepth = 200;   // height of one expression tree
inline constexpr int kMaxBlockDepth = 100;  // nested {% if %}/{% for %}/... blocks

// Throws TemplateError ("line N: ...") on syntax errors and unsupported constructs.
std::shared_ptr<const Template> parse_template(std::string_view source);

}  // namespace slm::jinja
