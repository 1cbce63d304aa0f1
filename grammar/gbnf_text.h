// Small helpers that spell GBNF text: escaped literals and character classes,
// repetition suffixes. Shared by the regex and JSON Schema compilers.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "grammar/regex_ast.h"

namespace slm::grammar::gbnf {

// The code points of UTF-8 text.
std::u32string code_points(std::string_view text);
// `"..."` matching exactly the UTF-8 text `text`.
std::string literal(std::string_view text);
// `[...]` matching the code points of a non-empty set.
std::string char_class(const regex::CharSet& set);
// The same from sorted, disjoint ranges of code points.
std::string char_class(std::span<const std::pair<char32_t, char32_t>> ranges);
// The suffix for `min` to `max` repetitions ("*", "+", "?", "{m}", "{m,}", "{m,n}");
// max = regex::kUnbounded for no upper bound.
std::string repeat_suffix(int min, int max);
// `item` repeated min..max times, parenthesised as needed; `""` for zero.
std::string repeat(const std::string& item, int min, int max);

}  // namespace slm::grammar::gbnf
