// Regular expressions (the JSON Schema `pattern` dialect, an ECMA-262 subset) as GBNF.
#pragma once

#include <string>
#include <string_view>

namespace slm::grammar {

// GBNF text whose root rule "root" matches exactly the strings in which `pattern`
// finds a match (JSON Schema semantics: unanchored unless ^/$ say otherwise).
// Throws slm::Error naming the construct when the pattern uses something unsupported
// (backreferences, lookaround, word boundaries, unicode property escapes, ...).
std::string regex_to_gbnf(std::string_view pattern);

}  // namespace slm::grammar
