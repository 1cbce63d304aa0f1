#include "grammar/ordered_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "slm/error.h"
#include "tokenizer/codepoints.h"

namespace slm::grammar {

namespace {

using Json = nlohmann::ordered_json;

// Objects and arrays under construction are open entries; a value read goes to the
// innermost one, and a closed one becomes a value of its parent.
class Builder {
 public:
  Json take() { return std::move(root_); }

  void start_object() { open_.push_back({true, {}, {}, {}}); }
  void key(std::string k) { open_.back().key = std::move(k); }
  void end_object() {
    Open o = std::move(open_.back());
    open_.pop_back();
    Json object = Json::object();
    auto& members = object.get_ref<Json::object_t&>();
    members.reserve(o.members.size());
    // Duplicate keys: looked for by a scan in small objects, through a map in large ones.
    const bool small = o.members.size() <= 8;
    std::unordered_map<std::string_view, size_t> seen;  // views of keys in `members` (reserved)
    for (auto& [k, v] : o.members) {
      Json* earlier = nullptr;
      if (small) {
        for (auto& m : members) earlier = m.first == k ? &m.second : earlier;
      } else if (const auto it = seen.find(k); it != seen.end()) {
        earlier = &(members.begin() + static_cast<std::ptrdiff_t>(it->second))->second;
      }
      if (earlier != nullptr) {
        *earlier = std::move(v);
        continue;
      }
      members.emplace_back(std::move(k), std::move(v));
      if (!small) seen.emplace(members.back().first, members.size() - 1);
    }
    put(std::move(object));
  }
  void start_array() { open_.push_back({false, {}, {}, {}}); }
  void end_array() {
    Json array = Json::array();
    array.get_ref<Json::array_t&>() = std::move(open_.back().items);
    open_.pop_back();
    put(std::move(array));
  }
  void put(Json&& v) {
    if (open_.empty()) {
      root_ = std::move(v);
    } else if (open_.back().object) {
      open_.back().members.emplace_back(std::move(open_.back().key), std::move(v));
    } else {
      open_.back().items.push_back(std::move(v));
    }
  }

 private:
  struct Open {
    bool object;
    std::vector<std::pair<std::string, Json>> members;
    std::vector<Json> items;
    std::string key;  // of the member being read
  };

  std::vector<Open> open_;
  Json root_;
};

// JSON text (RFC 8259) read straight into a Builder: strings are copied in runs between
// escapes and numbers converted where they stand, where nlohmann's lexer appends every
// byte to a token buffer first (half of this parse's time on large schemas). Values
// become what nlohmann makes of them: integers as int64 when negative, uint64 otherwise,
// doubles past those ranges; non-finite numbers and invalid UTF-8 are errors. Nesting is
// kept on a heap stack, so deep text cannot overflow the call stack.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  Json read() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // a byte order mark, skipped like nlohmann does
    std::vector<char> open;  // per open container: 1 for an object, 0 for an array
    while (true) {
      skip_space();
      const char c = peek();
      if (c == '{' || c == '[') {
        ++pos_;
        const bool object = c == '{';
        object ? out_.start_object() : out_.start_array();
        skip_space();
        if (peek() == (object ? '}' : ']')) {
          ++pos_;
          object ? out_.end_object() : out_.end_array();
        } else {
          open.push_back(object ? 1 : 0);
          if (object) member_key();
          continue;
        }
      } else {
        scalar();
      }
      // After a value: close what ends here, then go on to the next item.
      while (true) {
        skip_space();
        if (open.empty()) {
          if (pos_ != text_.size()) fail("text after the value");
          return out_.take();
        }
        const bool object = open.back() != 0;
        if (peek() == ',') {
          ++pos_;
          if (object) member_key();
          break;
        }
        if (peek() != (object ? '}' : ']')) fail(object ? "expecting ',' or '}'" : "expecting ',' or ']'");
        ++pos_;
        object ? out_.end_object() : out_.end_array();
        open.pop_back();
      }
    }
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("not valid JSON: " + what + " at byte " + std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t')) ++pos_;
  }
  void member_key() {
    skip_space();
    if (peek() != '"') fail("expecting a key");
    out_.key(string());
    skip_space();
    if (peek() != ':') fail("expecting ':'");
    ++pos_;
  }
  void scalar() {
    const char c = peek();
    if (c == '"') {
      out_.put(string());
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      number();
    } else if (word("true")) {
      out_.put(true);
    } else if (word("false")) {
      out_.put(false);
    } else if (word("null")) {
      out_.put(nullptr);
    } else {
      fail("expecting a value");
    }
  }
  bool word(std::string_view w) {
    if (text_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  void number() {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      if (pos_ == from) fail("expecting a digit");
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else {
      digits();
    }
    bool integer = true;
    if (peek() == '.') {
      ++pos_;
      digits();
      integer = false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      digits();
      integer = false;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (integer) {
      if (*first == '-') {
        int64_t v = 0;
        if (std::from_chars(first, last, v).ec == std::errc()) return out_.put(v);
      } else {
        uint64_t v = 0;
        if (std::from_chars(first, last, v).ec == std::errc()) return out_.put(v);
      }
    }
    // strtod rounds as nlohmann's lexer does (underflow to zero included).
    const double v = std::strtod(std::string(first, last).c_str(), nullptr);
    if (!std::isfinite(v)) fail("number out of range");
    out_.put(v);
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string s;
    while (true) {
      const size_t run = pos_;
      while (pos_ < text_.size()) {
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
        ++pos_;
      }
      s.append(text_.substr(run, pos_ - run));
      if (pos_ >= text_.size()) fail("unterminated string");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return s;
      }
      if (c == '\\') {
        escape(s);
      } else if (c < 0x20) {
        fail("control character in a string");
      } else {
        utf8_character(s);
      }
    }
  }

  // One multi-byte character, checked as RFC 3629 defines UTF-8.
  void utf8_character(std::string& s) {
    auto byte = [&](size_t k) { return pos_ + k < text_.size() ? static_cast<unsigned char>(text_[pos_ + k]) : 0u; };
    const unsigned lead = byte(0);
    size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the second byte's range
    if (lead >= 0xC2 && lead <= 0xDF) {
      len = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      len = 3;
      lo = lead == 0xE0 ? 0xA0 : lo;  // no overlong forms
      hi = lead == 0xED ? 0x9F : hi;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      len = 4;
      lo = lead == 0xF0 ? 0x90 : lo;
      hi = lead == 0xF4 ? 0x8F : hi;  // nothing past U+10FFFF
    } else {
      fail("invalid UTF-8");
    }
    if (byte(1) < lo || byte(1) > hi) fail("invalid UTF-8");
    for (size_t k = 2; k < len; ++k) {
      if ((byte(k) & 0xC0) != 0x80) fail("invalid UTF-8");
    }
    s.append(text_.substr(pos_, len));
    pos_ += len;
  }

  void escape(std::string& s) {
    ++pos_;  // backslash
    const char e = peek();
    ++pos_;
    switch (e) {
      case '"': s += '"'; return;
      case '\\': s += '\\'; return;
      case '/': s += '/'; return;
      case 'b': s += '\b'; return;
      case 'f': s += '\f'; return;
      case 'n': s += '\n'; return;
      case 'r': s += '\r'; return;
      case 't': s += '\t'; return;
      case 'u': break;
      default: --pos_; fail("invalid escape");
    }
    uint32_t cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {  // must pair with a low one
      if (!word("\\u")) fail("lone high surrogate");
      const uint32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("lone high surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    tok::append_utf8(s, cp);
  }
  uint32_t hex4() {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k, ++pos_) {
      const char h = peek();
      const int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) fail("expecting 4 hex digits");
      v = v << 4 | static_cast<uint32_t>(d);
    }
    return v;
  }

  std::string_view text_;
  size_t pos_ = 0;
  Builder out_;
};

}  // namespace

Json parse_ordered_json(std::string_view text) { return Reader(text).read(); }

}  // namespace slm::grammar
