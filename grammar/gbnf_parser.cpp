// Recursive-descent parser for GBNF, following llama.cpp's rules for where newlines may
// appear: anywhere inside parentheses and after `::=` or `|`, otherwise a newline ends
// the rule.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <string_view>
#include <unordered_map>

#include "grammar/gbnf_ast.h"
#include "tokenizer/codepoints.h"
#include "slm/error.h"

namespace slm::grammar {

void throw_gbnf_error(SourcePos pos, const std::string& what) {
  throw Error("gbnf line " + std::to_string(pos.line) + " col " + std::to_string(pos.col) + ": " + what);
}

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Parser {
 public:
  Parser(std::string_view text, GbnfAst given) : text_(text), ast_(std::move(given)) {}

  GbnfAst parse() {
    // About one rule per "::=": room for them (and for their names' index) at once,
    // rather than moving every rule body each time the vector grows.
    size_t definitions = ast_.rules.size();
    for (size_t at = text_.find("::="); at != std::string_view::npos; at = text_.find("::=", at + 3)) ++definitions;
    ast_.rules.reserve(definitions);
    index_.reserve(definitions);
    // The given rules' names, indexed as views into one buffer that never moves (the
    // rules themselves may).
    size_t name_bytes = 0;
    for (const Rule& r : ast_.rules) name_bytes += r.name.size();
    given_names_.reserve(name_bytes);
    for (uint32_t i = 0; i < ast_.rules.size(); ++i) {
      const size_t at = given_names_.size();
      given_names_ += ast_.rules[i].name;
      index_.emplace(std::string_view(given_names_).substr(at), i);
    }
    skip_space(true);
    while (!at_end()) {
      parse_rule();
      skip_space(true);
    }
    return std::move(ast_);
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

  // Line and column (in bytes) of a byte offset. The parser only moves forward, so
  // counting on from the last answer keeps this linear over the whole text; memchr
  // jumps from line to line.
  SourcePos where(size_t at) const {
    at = std::min(at, text_.size());
    if (at < scanned_) {
      scanned_ = 0;
      line_ = 1;
      line_start_ = 0;
    }
    const char* const text = text_.data();
    while (const void* newline = std::memchr(text + scanned_, '\n', at - scanned_)) {
      ++line_;
      line_start_ = static_cast<size_t>(static_cast<const char*>(newline) - text) + 1;
      scanned_ = line_start_;
    }
    scanned_ = at;
    return SourcePos{line_, static_cast<uint32_t>(at - line_start_ + 1)};
  }
  SourcePos here() const { return where(pos_); }
  [[noreturn]] void fail(const std::string& what) const { throw_gbnf_error(here(), what); }

  void skip_space(bool newline_ok) {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || (newline_ok && (c == '\r' || c == '\n'))) {
        ++pos_;
      } else if (c == '#') {
        while (!at_end() && peek() != '\r' && peek() != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  // A view into the text, which outlives the parse.
  std::string_view parse_name() {
    const size_t start = pos_;
    while (!at_end() && is_name_char(peek())) ++pos_;
    if (pos_ == start) fail("expecting a rule name");
    return text_.substr(start, pos_ - start);
  }

  // The rule called `name`, added when first met at offset `at` (its position until it
  // is defined; made a line and column only then, and only moving forward).
  uint32_t rule_index(std::string_view name, size_t at) {
    auto [it, added] = index_.try_emplace(name, static_cast<uint32_t>(ast_.rules.size()));
    if (added) {
      Rule r;
      r.name = std::string(name);
      r.pos = where(at);
      ast_.rules.push_back(std::move(r));
    }
    return it->second;
  }

  void parse_rule() {
    const SourcePos start = here();
    const std::string_view name = parse_name();
    skip_space(false);
    if (text_.substr(pos_, 3) != "::=") fail("expecting '::=' after rule name '" + std::string(name) + "'");
    pos_ += 3;
    skip_space(true);
    Expr body = parse_alternatives(false);
    if (peek() == '\r') ++pos_;
    if (peek() == '\n') {
      ++pos_;
    } else if (!at_end()) {
      fail(std::string("unexpected '") + peek() + "'");
    }
    const uint32_t index = rule_index(name, pos_);  // (its position is set just below)
    Rule& rule = ast_.rules[index];
    if (rule.defined) throw_gbnf_error(start, "rule '" + std::string(name) + "' is defined twice");
    rule.defined = true;
    rule.pos = start;
    rule.body = std::move(body);
  }

  Expr parse_alternatives(bool nested) {
    Expr first = parse_sequence(nested);
    if (peek() != '|') return first;
    Expr alt;
    alt.kind = Expr::Kind::Alternation;
    alt.items.reserve(4);  // as for sequences: most alternations are short
    alt.items.push_back(std::move(first));
    while (peek() == '|') {
      ++pos_;
      skip_space(true);
      alt.items.push_back(parse_sequence(nested));
    }
    return alt;
  }

  // Items are gathered on pending_ (shared by nested sequences, each using the part
  // above where it began), so that a sequence of one item, the most common kind, needs
  // no vector of its own, and a longer one gets a vector of its exact size at once.
  Expr parse_sequence(bool nested) {
    const size_t base = pending_.size();
    int repeats_on_last = 0;
    while (!at_end()) {
      const char c = peek();
      const size_t at = pos_;
      if (c != '*' && c != '+' && c != '?' && c != '{') repeats_on_last = 0;
      if (c == '"') {
        pending_.push_back(parse_literal());
      } else if (c == '[') {
        pending_.push_back(parse_class());
      } else if (c == '.') {
        ++pos_;
        Expr any;
        any.kind = Expr::Kind::Class;
        any.set.add(0, kMaxCodepoint);
        any.set = std::move(any.set).without_surrogates();
        pending_.push_back(std::move(any));
      } else if (c == '(') {
        // Bounded so that deeply nested input cannot overflow the stack.
        if (++depth_ > kMaxNesting) fail("parentheses nested too deeply (at most " + std::to_string(kMaxNesting) + ")");
        ++pos_;
        skip_space(true);
        Expr group = parse_alternatives(true);
        --depth_;
        if (peek() != ')') fail("expecting ')'");
        ++pos_;
        pending_.push_back(std::move(group));
      } else if (is_name_char(c)) {
        Expr ref;
        ref.kind = Expr::Kind::Ref;
        ref.rule = rule_index(parse_name(), at);
        pending_.push_back(std::move(ref));
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (pending_.size() == base) fail(std::string("expecting an item before '") + c + "'");
        // Each operator wraps the item once more; bounded like nesting, for the stack.
        if (++repeats_on_last > kMaxRepeatOperators) fail("too many repetition operators on one item");
        apply_repetition(pending_.back());
      } else if (c == '<') {
        fail("token references (<...>) are not supported");
      } else {
        break;
      }
      skip_space(nested);
    }
    if (pending_.size() == base + 1) {
      Expr only = std::move(pending_.back());
      pending_.pop_back();
      return only;
    }
    Expr seq;
    seq.kind = Expr::Kind::Sequence;
    const auto first = pending_.begin() + static_cast<std::ptrdiff_t>(base);
    seq.items.assign(std::make_move_iterator(first), std::make_move_iterator(pending_.end()));
    pending_.erase(first, pending_.end());
    return seq;
  }

  uint32_t parse_count() {
    const size_t start = pos_;
    uint64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      v = v * 10 + static_cast<uint64_t>(peek() - '0');
      if (v > kMaxRepeatCount) {
        throw_gbnf_error(where(start), "repetition count is too large (at most " + std::to_string(kMaxRepeatCount) + ")");
      }
      ++pos_;
    }
    if (pos_ == start) fail("expecting a number in '{...}'");
    return static_cast<uint32_t>(v);
  }

  void apply_repetition(Expr& item) {
    Expr rep;
    rep.kind = Expr::Kind::Repeat;
    const size_t start = pos_;
    const char c = peek();
    ++pos_;
    if (c == '*') {
      rep.unbounded = true;
    } else if (c == '+') {
      rep.min = 1;
      rep.unbounded = true;
    } else if (c == '?') {
      rep.max = 1;
    } else {
      skip_space(true);
      rep.min = parse_count();
      skip_space(true);
      if (peek() == ',') {
        ++pos_;
        skip_space(true);
        if (peek() == '}') {
          rep.unbounded = true;
        } else {
          rep.max = parse_count();
          if (rep.max < rep.min) throw_gbnf_error(where(start), "repetition {m,n} with n < m");
        }
        skip_space(true);
      } else {
        rep.max = rep.min;
      }
      if (peek() != '}') fail("expecting '}'");
      ++pos_;
    }
    rep.items.push_back(std::move(item));
    item = std::move(rep);
  }

  // One code point of a literal or class: an escape or a UTF-8 character.
  uint32_t parse_char() {
    if (at_end()) fail("unexpected end of text");
    const unsigned char c = static_cast<unsigned char>(peek());
    if (c == '\\') return parse_escape();
    if (c < 0x80) {
      ++pos_;
      return c;
    }
    int len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      fail("invalid UTF-8");
    }
    for (int k = 1; k < len; ++k) {
      const unsigned char d = static_cast<unsigned char>(peek(static_cast<size_t>(k)));
      if ((d & 0xC0) != 0x80) fail("invalid UTF-8");
      cp = (cp << 6) | (d & 0x3F);
    }
    const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > kMaxCodepoint || (cp >= 0xD800 && cp <= 0xDFFF)) fail("invalid UTF-8");
    pos_ += static_cast<size_t>(len);
    return cp;
  }

  uint32_t parse_escape() {
    const size_t start = pos_;  // where errors point (made a line and column only then)
    ++pos_;  // backslash
    const char e = peek();
    ++pos_;
    switch (e) {
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case '\\': return '\\';
      case '"': return '"';
      case '[': return '[';
      case ']': return ']';
      case '-': return '-';
      case '^': return '^';
      case 'x': return parse_hex(2, start);
      case 'u': return parse_hex(4, start);
      case 'U': return parse_hex(8, start);
      default: break;
    }
    throw_gbnf_error(where(start), e == '\0' ? "unexpected end of text" : std::string("unknown escape '\\") + e + "'");
  }

  uint32_t parse_hex(int digits, size_t start) {
    uint32_t v = 0;
    for (int k = 0; k < digits; ++k) {
      const int h = hex_value(peek());
      if (h < 0) throw_gbnf_error(where(start), "expecting " + std::to_string(digits) + " hex digits");
      v = (v << 4) | static_cast<uint32_t>(h);
      ++pos_;
    }
    if (v > kMaxCodepoint) throw_gbnf_error(where(start), "code point past U+10FFFF");
    return v;
  }

  Expr parse_literal() {
    Expr lit;
    lit.kind = Expr::Kind::Literal;
    const size_t start = pos_;
    ++pos_;  // opening quote
    while (true) {
      // A run of plain ASCII stands for itself: taken at once.
      const size_t run = pos_;
      while (!at_end() && peek() != '"' && peek() != '\\' && static_cast<unsigned char>(peek()) < 0x80) ++pos_;
      lit.bytes.append(text_.substr(run, pos_ - run));
      if (at_end()) throw_gbnf_error(where(start), "unterminated string literal");
      if (peek() == '"') break;
      const size_t at = pos_;
      const uint32_t cp = parse_char();
      if (cp >= 0xD800 && cp <= 0xDFFF) throw_gbnf_error(where(at), "surrogate code point in a string literal");
      tok::append_utf8(lit.bytes, cp);
    }
    ++pos_;
    return lit;
  }

  Expr parse_class() {
    Expr cls;
    cls.kind = Expr::Kind::Class;
    const size_t start = pos_;
    ++pos_;  // [
    const bool negated = peek() == '^';
    if (negated) ++pos_;
    CodepointSet set;
    while (true) {
      if (at_end()) throw_gbnf_error(where(start), "unterminated character class");
      if (peek() == ']') break;
      const size_t at = pos_;
      const uint32_t lo = parse_char();
      uint32_t hi = lo;
      if (peek() == '-' && peek(1) != ']' && pos_ + 1 < text_.size()) {
        ++pos_;
        hi = parse_char();
        if (hi < lo) throw_gbnf_error(where(at), "character range with its end before its start");
      }
      set.add(lo, hi);
    }
    ++pos_;
    if (negated) set = set.complement();
    cls.set = std::move(set).without_surrogates();
    return cls;
  }

  std::string_view text_;
  static constexpr int kMaxNesting = 256;
  static constexpr int kMaxRepeatOperators = 8;
  size_t pos_ = 0;
  int depth_ = 0;
  mutable size_t scanned_ = 0;     // where() has counted lines up to here
  mutable uint32_t line_ = 1;      // the line at scanned_
  mutable size_t line_start_ = 0;  // the offset where that line starts
  GbnfAst ast_;
  std::string given_names_;
  std::vector<Expr> pending_;  // items of the sequences being parsed, innermost last
  std::unordered_map<std::string_view, uint32_t> index_;  // views into text_ or given_names_
};

}  // namespace

GbnfAst parse_gbnf(std::string_view text, GbnfAst given) { return Parser(text, std::move(given)).parse(); }

}  // namespace slm::grammar
