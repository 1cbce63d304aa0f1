// Parser for the JSON Schema `pattern` dialect (an ECMA-262 subset). Where ECMA-262
// and Python's `re` (what validators commonly run) disagree on a construct, we either
// reject it or take the narrower of the two meanings, so that a grammar built from the
// pattern never accepts a string that either dialect rejects.
#include <string>

#include "grammar/regex_ast.h"
#include "slm/error.h"

namespace slm::grammar::regex {

namespace {

std::u32string decode_utf8_strict(std::string_view s) {
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) throw Error("regex: invalid UTF-8 in pattern");
    char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b >> 6) != 2) throw Error("regex: invalid UTF-8 in pattern");
      c = (c << 6) | (b & 0x3F);
    }
    out.push_back(c);
    i += len;
  }
  return out;
}

CharSet ascii() { return CharSet::range(0, 0x7F); }

// The class escapes, taken narrowly: \d \w \s as ECMA-262 defines them (Python's
// Unicode-aware versions are supersets), and \D \W \S restricted to ASCII (Python's
// complements exclude non-ASCII digits, letters and spaces that ECMA's include).
CharSet narrow_class(char32_t letter) {
  CharSet digit = CharSet::range('0', '9');
  CharSet word = digit;
  word.add('A', 'Z');
  word.add('a', 'z');
  word.add('_', '_');
  CharSet space;
  space.add('\t', '\r');
  space.add(' ', ' ');
  CharSet any_space = space;  // ASCII spaces in either dialect (Python adds \x1c-\x1f)
  any_space.add(0x1C, 0x1F);
  switch (letter) {
    case 'd': return digit;
    case 'D': return digit.complement().intersect(ascii());
    case 'w': return word;
    case 'W': return word.complement().intersect(ascii());
    case 's': return space;
    default: return any_space.complement().intersect(ascii());  // 'S'
  }
}

// The widest reading, used inside negated classes so that their complement is narrow.
CharSet wide_class(char32_t letter) {
  static constexpr char32_t kOpposite[] = {'D', 'd', 'W', 'w', 'S', 's'};
  const std::u32string letters = U"dDwWsS";
  return narrow_class(kOpposite[letters.find(letter)]).complement();
}

bool is_class_letter(char32_t c) { return c == 'd' || c == 'D' || c == 'w' || c == 'W' || c == 's' || c == 'S'; }

int hex_value(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

Node chars_node(CharSet set) {
  Node n;
  n.kind = Node::Kind::kChars;
  n.chars = std::move(set);
  return n;
}

class Parser {
 public:
  explicit Parser(std::u32string text) : s_(std::move(text)) {}

  Pattern parse_pattern() {
    Pattern p;
    while (true) {
      Branch b;
      if (peek('^')) {
        ++pos_;
        b.anchored_start = true;
      }
      b.body = parse_sequence(/*top_level=*/true, &b.anchored_end);
      p.branches.push_back(std::move(b));
      if (pos_ == s_.size()) break;
      if (s_[pos_] == ')') fail("unbalanced ')'");
      ++pos_;  // '|'
    }
    return p;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("regex: " + what + " at offset " + std::to_string(pos_) + " is not supported");
  }
  bool peek(char32_t c) const { return pos_ < s_.size() && s_[pos_] == c; }

  Node parse_alternation() {
    Node alt;
    alt.kind = Node::Kind::kAlternation;
    while (true) {
      alt.items.push_back(parse_sequence(false, nullptr));
      if (!peek('|')) break;
      ++pos_;
    }
    if (alt.items.size() == 1) return std::move(alt.items[0]);
    return alt;
  }

  Node parse_sequence(bool top_level, bool* anchored_end) {
    Node seq;
    seq.kind = Node::Kind::kSequence;
    while (pos_ < s_.size() && s_[pos_] != '|' && s_[pos_] != ')') {
      if (s_[pos_] == '$') {
        const bool at_branch_end = pos_ + 1 == s_.size() || s_[pos_ + 1] == '|';
        if (!top_level || !at_branch_end) fail("'$' anchor not at the end of a top-level alternative");
        ++pos_;
        *anchored_end = true;
        break;
      }
      if (s_[pos_] == '^') fail("'^' anchor not at the start of a top-level alternative");
      Node atom = parse_atom();
      seq.items.push_back(parse_quantifier(std::move(atom)));
    }
    if (seq.items.size() == 1) return std::move(seq.items[0]);
    return seq;
  }

  // Reads digits; returns -1 when there are none.
  long read_number() {
    long v = -1;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      v = (v < 0 ? 0 : v) * 10 + static_cast<long>(s_[pos_] - '0');
      if (v > 100000) fail("repetition count above 100000");
      ++pos_;
    }
    return v;
  }

  Node parse_quantifier(Node atom) {
    if (pos_ >= s_.size()) return atom;
    int min = 0;
    int max = 0;
    const char32_t c = s_[pos_];
    if (c == '*') {
      min = 0, max = kUnbounded, ++pos_;
    } else if (c == '+') {
      min = 1, max = kUnbounded, ++pos_;
    } else if (c == '?') {
      min = 0, max = 1, ++pos_;
    } else if (c == '{' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
      ++pos_;
      const long lo = read_number();
      long hi = lo;
      if (peek(',')) {
        ++pos_;
        hi = peek('}') ? -1 : read_number();
        if (hi < 0 && !peek('}')) fail("malformed {m,n} quantifier");
      }
      if (!peek('}')) fail("malformed {m,n} quantifier");
      ++pos_;
      if (hi >= 0 && hi < lo) fail("{m,n} quantifier with n < m");
      min = static_cast<int>(lo);
      max = hi < 0 ? kUnbounded : static_cast<int>(hi);
    } else if (c == '{' && pos_ + 1 < s_.size() && s_[pos_ + 1] == ',') {
      fail("'{,n}' (ECMA-262 and Python read it differently)");
    } else {
      return atom;
    }
    if (peek('?')) ++pos_;  // lazy: same language
    if (peek('*') || peek('+') || peek('?') || peek('{')) fail("stacked quantifier");
    Node rep;
    rep.kind = Node::Kind::kRepeat;
    rep.min = min;
    rep.max = max;
    rep.items.push_back(std::move(atom));
    return rep;
  }

  Node parse_atom() {
    const char32_t c = s_[pos_++];
    switch (c) {
      case '(': return parse_group();
      case '[': return chars_node(parse_class());
      case '.': {
        CharSet dot = CharSet::any();
        CharSet terminators;
        terminators.add('\n', '\n');
        terminators.add('\r', '\r');
        terminators.add(0x2028, 0x2029);
        return chars_node(dot.intersect(terminators.complement()));
      }
      case '\\': return chars_node(parse_escape(/*in_class=*/false, /*negated=*/false));
      case '*':
      case '+':
      case '?': fail("quantifier without an operand");
      case '{':
        if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') fail("quantifier without an operand");
        return chars_node(CharSet::range(c, c));
      default: return chars_node(CharSet::range(c, c));
    }
  }

  Node parse_group() {
    if (peek('?')) {
      if (pos_ + 1 < s_.size() && s_[pos_ + 1] == ':') {
        pos_ += 2;
      } else if (pos_ + 1 < s_.size() && (s_[pos_ + 1] == '=' || s_[pos_ + 1] == '!')) {
        fail("lookahead");
      } else if (pos_ + 2 < s_.size() && s_[pos_ + 1] == '<' && (s_[pos_ + 2] == '=' || s_[pos_ + 2] == '!')) {
        fail("lookbehind");
      } else {
        fail("named group or inline flag '(?'");
      }
    }
    Node inner = parse_alternation();
    if (!peek(')')) fail("missing ')'");
    ++pos_;
    return inner;
  }

  char32_t parse_hex(size_t digits) {
    char32_t v = 0;
    for (size_t k = 0; k < digits; ++k) {
      if (pos_ >= s_.size() || hex_value(s_[pos_]) < 0) fail("malformed hex escape");
      v = v * 16 + static_cast<char32_t>(hex_value(s_[pos_++]));
    }
    return v;
  }

  // The character or class after a backslash.
  CharSet parse_escape(bool in_class, bool negated) {
    if (pos_ >= s_.size()) fail("trailing backslash");
    const char32_t c = s_[pos_++];
    if (is_class_letter(c)) return negated ? wide_class(c) : narrow_class(c);
    auto one = [](char32_t x) { return CharSet::range(x, x); };
    switch (c) {
      case 'n': return one('\n');
      case 'r': return one('\r');
      case 't': return one('\t');
      case 'f': return one('\f');
      case 'v': return one('\v');
      case '0':
        if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') fail("octal escape");
        return one(0);
      case 'x': return one(parse_hex(2));
      case 'u': {
        if (peek('{')) fail("'\\u{...}' escape");
        const char32_t v = parse_hex(4);
        if (v >= 0xD800 && v <= 0xDFFF) fail("surrogate '\\u' escape");
        return one(v);
      }
      case 'b':
        if (in_class) return one('\b');
        fail("word boundary '\\b'");
      case 'B': fail("word boundary '\\B'");
      case 'p':
      case 'P': fail("unicode property escape");
      case 'c': fail("control escape '\\c'");
      case 'k': fail("named backreference");
      default: break;
    }
    if (c >= '1' && c <= '9') fail("backreference");
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) fail(std::string("escape '\\") + static_cast<char>(c) + "'");
    return one(c);  // an escaped punctuation or other character stands for itself
  }

  CharSet parse_class() {
    const bool negated = peek('^');
    if (negated) ++pos_;
    CharSet set;
    bool first = true;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated character class");
      if (s_[pos_] == ']' && !first) break;
      if (s_[pos_] == ']' && first) fail("']' first in a class (ECMA-262: empty class; Python: literal)");
      first = false;
      bool lo_is_set = false;
      CharSet lo = class_atom(negated, &lo_is_set);
      if (peek('-') && pos_ + 1 < s_.size() && s_[pos_ + 1] != ']') {
        ++pos_;
        bool hi_is_set = false;
        CharSet hi = class_atom(negated, &hi_is_set);
        if (lo_is_set || hi_is_set) fail("class escape as a range bound");
        const char32_t a = lo.ranges()[0].first;
        const char32_t b = hi.ranges()[0].first;
        if (a > b) fail("reversed class range");
        set.add(a, b);
      } else {
        set.add(lo);
      }
    }
    ++pos_;  // ']'
    if (negated) return set.complement();
    if (set.empty()) fail("empty character class");
    return set;
  }

  CharSet class_atom(bool negated, bool* is_set) {
    const char32_t c = s_[pos_++];
    if (c == '\\') {
      *is_set = pos_ < s_.size() && is_class_letter(s_[pos_]);
      return parse_escape(/*in_class=*/true, negated);
    }
    if (c == '[' && peek(':')) fail("POSIX class '[:'");
    return CharSet::range(c, c);
  }

  std::u32string s_;
  size_t pos_ = 0;
};

}  // namespace

Pattern parse(std::string_view pattern) { return Parser(decode_utf8_strict(pattern)).parse_pattern(); }

}  // namespace slm::grammar::regex
