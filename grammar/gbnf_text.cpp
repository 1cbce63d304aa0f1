// GBNF spelling. Non-alphanumeric code points are written as \x/\u escapes (code
// points above U+FFFF as raw UTF-8, which GBNF reads directly), so that no character
// can change the meaning of the surrounding syntax.
#include "grammar/gbnf_text.h"

#include <vector>

#include "tokenizer/codepoints.h"

namespace slm::grammar::gbnf {

namespace {

void append_hex(std::string& out, const char* prefix, uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += prefix;
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += kHex[(value >> shift) & 15];
}

void append_char(std::string& out, char32_t c) {
  const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (alnum || c == ' ' || c == '_' || c == '.' || c == ',' || c == ':' || c == '/') {
    out += static_cast<char>(c);
  } else if (c < 0x80) {
    append_hex(out, "\\x", static_cast<uint32_t>(c), 2);
  } else if (c <= 0xFFFF) {
    append_hex(out, "\\u", static_cast<uint32_t>(c), 4);
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

std::string char_class(const regex::CharSet& set) { return char_class(set.ranges()); }

std::string char_class(std::span<const std::pair<char32_t, char32_t>> ranges) {
  std::string out = "[";
  for (const auto& [first, last] : ranges) {
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
