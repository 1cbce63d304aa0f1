// GBNF spelling. Non-alphanumeric code points are written as \x/\u escapes (code
// points above U+FFFF as raw UTF-8, which GBNF reads directly), so that no character
// can change the meaning of the surrounding syntax.
#include "grammar/gbnf_text.h"

#include <cstdio>
#include <vector>

#include "tokenizer/codepoints.h"

namespace slm::grammar::gbnf {

namespace {

void append_char(std::string& out, char32_t c) {
  const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  char buf[16];
  if (alnum || c == ' ' || c == '_' || c == '.' || c == ',' || c == ':' || c == '/') {
    out += static_cast<char>(c);
  } else if (c < 0x80) {
    std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(c));
    out += buf;
  } else if (c <= 0xFFFF) {
    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
    out += buf;
  } else {
    tok::append_utf8(out, static_cast<uint32_t>(c));
  }
}

}  // namespace

std::string literal(std::string_view text) {
  std::string out = "\"";
  for (char32_t c : code_points(text)) append_char(out, c);
  return out + "\"";
}

std::u32string code_points(std::string_view text) {
  std::vector<uint32_t> cps;
  tok::decode_utf8_lenient(text, cps);
  return std::u32string(cps.begin(), cps.end());
}

std::string char_class(const regex::CharSet& set) {
  std::string out = "[";
  for (const auto& [first, last] : set.ranges()) {
    append_char(out, first);
    if (last == first) continue;
    if (last > first + 1) out += '-';
    append_char(out, last);
  }
  return out + "]";
}

std::string repeat_suffix(int min, int max) {
  if (min == 0 && max == regex::kUnbounded) return "*";
  if (min == 1 && max == regex::kUnbounded) return "+";
  if (min == 0 && max == 1) return "?";
  if (max == regex::kUnbounded) return "{" + std::to_string(min) + ",}";
  if (min == max) return "{" + std::to_string(min) + "}";
  return "{" + std::to_string(min) + "," + std::to_string(max) + "}";
}

std::string repeat(const std::string& item, int min, int max) {
  if (max == 0) return "\"\"";
  if (min == 1 && max == 1) return item;
  return "(" + item + ")" + repeat_suffix(min, max);
}

}  // namespace slm::grammar::gbnf
