#include "tokenizer/jinja/lexer.h"

#include <array>

#include "tokenizer/jinja/unicode.h"
#include "tokenizer/jinja/value.h"

namespace slm::jinja {

namespace {

std::string normalize_newlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();  // keep_trailing_newline=False
  return out;
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_ascii_digit(c); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(normalize_newlines(source)) {}

  std::vector<Token> run() {
    bool line_starting = true;
    while (pos_ < src_.size()) {
      std::size_t tag = find_tag(pos_);
      if (tag == std::string::npos) {
        emit(TokenType::Data, src_.substr(pos_), pos_);
        break;
      }
      char kind = src_[tag + 1];
      char sign = tag + 2 < src_.size() && (src_[tag + 2] == '-' || src_[tag + 2] == '+') ? src_[tag + 2] : '\0';
      std::string text = src_.substr(pos_, tag - pos_);
      apply_left_strip(text, sign, kind != '{', line_starting);
      if (!text.empty()) emit(TokenType::Data, std::move(text), pos_);
      std::size_t inner = tag + 2 + (sign != '\0' ? 1 : 0);
      if (kind == '#') {
        pos_ = lex_comment(tag, inner);
      } else if (kind == '%' && is_raw_begin(inner)) {
        pos_ = lex_raw(inner);
      } else {
        pos_ = lex_tag(tag, inner, kind == '%');
      }
      line_starting = pos_ > 0 && src_[pos_ - 1] == '\n';
    }
    tokens_.push_back({TokenType::End, "", line_at(src_.size())});
    return std::move(tokens_);
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& message) {
    throw TemplateError("line " + std::to_string(line_at(at)) + ": " + message);
  }

  int line_at(std::size_t at) {
    if (at < line_pos_) {  // only for errors pointing backwards
      int line = 1;
      for (std::size_t i = 0; i < at && i < src_.size(); ++i) line += src_[i] == '\n';
      return line;
    }
    for (; line_pos_ < at && line_pos_ < src_.size(); ++line_pos_) line_ += src_[line_pos_] == '\n';
    return line_;
  }

  void emit(TokenType type, std::string value, std::size_t at) {
    tokens_.push_back({type, std::move(value), line_at(at)});
  }

  std::size_t find_tag(std::size_t from) const {
    for (std::size_t i = from; i + 1 < src_.size(); ++i) {
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    }
    return std::string::npos;
  }

  std::size_t skip_space(std::size_t at) const {
    while (at < src_.size()) {
      std::size_t next = at;
      if (!is_space(next_code_point(src_, next))) break;
      at = next;
    }
    return at;
  }

  // "-" strips all whitespace before the tag; otherwise lstrip_blocks removes the
  // indentation of a block or comment tag that starts its line.
  static void apply_left_strip(std::string& text, char sign, bool lstrip_applies, bool line_starting) {
    if (sign == '-') {
      text = std::string(strip(text, nullptr, false, true));
      return;
    }
    if (sign == '+' || !lstrip_applies) return;
    std::size_t newline = text.rfind('\n');
    std::size_t l_pos = newline == std::string::npos ? 0 : newline + 1;
    if (l_pos == 0 && !line_starting) return;
    if (l_pos == text.size()) return;
    std::string_view tail(text);
    tail = tail.substr(l_pos);
    if (strip(tail, nullptr, true, false).empty()) text.resize(l_pos);
  }

  bool starts_with(std::size_t at, std::string_view s) const {
    return src_.size() >= at + s.size() && std::string_view(src_).substr(at, s.size()) == s;
  }

  // After "{%" and its sign: \s* raw \s* [-]%}
  bool is_raw_begin(std::size_t at) const {
    at = skip_space(at);
    if (!starts_with(at, "raw")) return false;
    at = skip_space(at + 3);
    return starts_with(at, "%}") || starts_with(at, "-%}");
  }

  std::size_t lex_comment(std::size_t tag, std::size_t inner) {
    for (std::size_t j = inner; j + 1 < src_.size(); ++j) {
      if (src_[j] != '#' || src_[j + 1] != '}') continue;
      char sign = j > inner ? src_[j - 1] : '\0';
      std::size_t end = j + 2;
      if (sign == '-') return skip_space(end);
      if (sign != '+' && end < src_.size() && src_[end] == '\n') ++end;
      return end;
    }
    fail(tag, "missing end of comment tag");
  }

  std::size_t lex_raw(std::size_t inner) {
    std::size_t at = skip_space(inner);
    at = skip_space(at + 3);
    if (src_[at] == '-') {
      at = skip_space(at + 3);
    } else {
      at += 2;
    }
    // Find {%[-+]? \s* endraw \s* (+%} | -%}\s* | %}\n?)
    for (std::size_t j = at; j + 1 < src_.size(); ++j) {
      if (src_[j] != '{' || src_[j + 1] != '%') continue;
      std::size_t k = j + 2;
      char sign = k < src_.size() && (src_[k] == '-' || src_[k] == '+') ? src_[k] : '\0';
      if (sign != '\0') ++k;
      k = skip_space(k);
      if (!starts_with(k, "endraw")) continue;
      k = skip_space(k + 6);
      std::size_t end;
      if (starts_with(k, "+%}")) {
        end = k + 3;
      } else if (starts_with(k, "-%}")) {
        end = skip_space(k + 3);
      } else if (starts_with(k, "%}")) {
        end = k + 2;
        if (end < src_.size() && src_[end] == '\n') ++end;
      } else {
        continue;
      }
      std::string text = src_.substr(at, j - at);
      bool line_starting = at > 0 && src_[at - 1] == '\n';
      apply_left_strip(text, sign, true, line_starting);
      if (!text.empty()) emit(TokenType::Data, std::move(text), at);
      return end;
    }
    fail(inner, "missing {% endraw %}");
  }

  std::size_t lex_tag(std::size_t tag, std::size_t at, bool block) {
    emit(block ? TokenType::BlockBegin : TokenType::VariableBegin, "", tag);
    std::vector<char> balance;
    while (true) {
      at = skip_space(at);
      if (at >= src_.size()) fail(tag, block ? "unexpected end of template: missing '%}'" : "unexpected end of template: missing '}}'");
      if (balance.empty()) {
        if (block) {
          if (starts_with(at, "-%}")) {
            emit(TokenType::BlockEnd, "", at);
            return skip_space(at + 3);
          }
          if (starts_with(at, "+%}")) {
            emit(TokenType::BlockEnd, "", at);
            return at + 3;
          }
          if (starts_with(at, "%}")) {
            emit(TokenType::BlockEnd, "", at);
            at += 2;
            if (at < src_.size() && src_[at] == '\n') ++at;  // trim_blocks
            return at;
          }
        } else {
          if (starts_with(at, "-}}")) {
            emit(TokenType::VariableEnd, "", at);
            return skip_space(at + 3);
          }
          if (starts_with(at, "}}")) {
            emit(TokenType::VariableEnd, "", at);
            return at + 2;
          }
        }
      }
      at = lex_token(at, balance);
    }
  }

  std::size_t lex_digits(std::size_t at) const {  // (\d+_)*\d+ ; returns end or `at` if none
    if (at >= src_.size() || !is_ascii_digit(src_[at])) return at;
    std::size_t end = at;
    while (end < src_.size() && is_ascii_digit(src_[end])) {
      ++end;
      if (end + 1 < src_.size() && src_[end] == '_' && is_ascii_digit(src_[end + 1])) ++end;
    }
    return end;
  }

  static std::string without_underscores(std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c != '_') out += c;
    }
    return out;
  }

  std::size_t lex_number(std::size_t at) {
    std::size_t end = lex_digits(at);
    bool after_dot = at > 0 && src_[at - 1] == '.';
    if (!after_dot) {
      std::size_t fend = end;
      bool is_float = false;
      if (fend < src_.size() && src_[fend] == '.' && lex_digits(fend + 1) > fend + 1) {
        fend = lex_digits(fend + 1);
        is_float = true;
      }
      if (fend < src_.size() && (src_[fend] == 'e' || src_[fend] == 'E')) {
        std::size_t e = fend + 1;
        if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
        std::size_t eend = lex_digits(e);
        if (eend > e) {
          fend = eend;
          is_float = true;
        }
      }
      if (is_float) {
        emit(TokenType::Float, without_underscores(std::string_view(src_).substr(at, fend - at)), at);
        return fend;
      }
    }
    emit(TokenType::Integer, without_underscores(std::string_view(src_).substr(at, end - at)), at);
    return end;
  }

  std::size_t lex_string(std::size_t at) {
    char quote = src_[at];
    std::string value;
    std::size_t i = at + 1;
    while (true) {
      if (i >= src_.size()) fail(at, "unterminated string literal");
      char c = src_[i];
      if (c == quote) break;
      if (c != '\\') {
        value += c;
        ++i;
        continue;
      }
      if (i + 1 >= src_.size()) fail(at, "unterminated string literal");
      char e = src_[i + 1];
      i += 2;
      switch (e) {
        case '\n': break;
        case '\\': value += '\\'; break;
        case '\'': value += '\''; break;
        case '"': value += '"'; break;
        case 'a': value += '\a'; break;
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'n': value += '\n'; break;
        case 'r': value += '\r'; break;
        case 't': value += '\t'; break;
        case 'v': value += '\v'; break;
        case 'x':
        case 'u':
        case 'U': {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          char32_t cp = 0;
          for (int k = 0; k < digits; ++k) {
            int h = i < src_.size() ? hex_value(src_[i]) : -1;
            if (h < 0) fail(at, std::string("truncated \\") + e + " escape in string literal");
            cp = cp * 16 + static_cast<char32_t>(h);
            ++i;
          }
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail(at, "invalid code point escape in string literal");
          append_utf8(value, cp);
          break;
        }
        case 'N': fail(at, "unsupported \\N{...} escape in string literal");
        default:
          if (e >= '0' && e <= '7') {
            char32_t cp = static_cast<char32_t>(e - '0');
            for (int k = 0; k < 2 && i < src_.size() && src_[i] >= '0' && src_[i] <= '7'; ++k, ++i) {
              cp = cp * 8 + static_cast<char32_t>(src_[i] - '0');
            }
            append_utf8(value, cp);
          } else {
            value += '\\';
            value += e;
          }
      }
    }
    emit(TokenType::String, std::move(value), at);
    return i + 1;
  }

  std::size_t lex_token(std::size_t at, std::vector<char>& balance) {
    char c = src_[at];
    if (is_ascii_digit(c)) return lex_number(at);
    if (is_name_start(c)) {
      std::size_t end = at;
      while (end < src_.size() && is_name_char(src_[end])) ++end;
      emit(TokenType::Name, src_.substr(at, end - at), at);
      return end;
    }
    if (c == '\'' || c == '"') return lex_string(at);
    static constexpr std::array<std::string_view, 6> kTwo = {"//", "**", "==", "!=", "<=", ">="};
    for (auto op : kTwo) {
      if (starts_with(at, op)) {
        emit(TokenType::Operator, std::string(op), at);
        return at + 2;
      }
    }
    static constexpr std::string_view kOne = "+-/*%~[](){}<>=.:|,;";
    if (kOne.find(c) == std::string_view::npos) {
      std::size_t next = at;
      char32_t cp = next_code_point(src_, next);
      std::string shown;
      append_utf8(shown, cp);
      fail(at, "unexpected character '" + shown + "' in tag");
    }
    if (c == '(' || c == '[' || c == '{') {
      if (balance.size() >= 256) fail(at, "brackets nested too deeply");
      balance.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (balance.empty() || balance.back() != c) fail(at, std::string("unexpected '") + c + "'");
      balance.pop_back();
    }
    emit(TokenType::Operator, std::string(1, c), at);
    return at + 1;
  }

  std::string src_;
  std::size_t pos_ = 0;
  std::size_t line_pos_ = 0;
  int line_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

}  // namespace slm::jinja
