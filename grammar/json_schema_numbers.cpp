// integer and number: JSON number syntax, exact digit grammars for bounds, and
// multipleOf for integers as a divisibility automaton over the decimal digits.
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "grammar/gbnf_text.h"
#include "grammar/json_schema_compiler.h"

namespace slm::grammar::schema {

namespace {

// Arbitrary-size integers as sign and decimal digits: schema bounds may exceed int64.
struct BigInt {
  bool negative = false;
  std::string digits = "0";  // no leading zeros
};

std::string magnitude_add_one(std::string s) {
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] != '9') {
      ++s[i];
      return s;
    }
    s[i] = '0';
  }
  return "1" + s;
}

std::string magnitude_sub_one(std::string s) {  // s >= 1
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] != '0') {
      --s[i];
      break;
    }
    s[i] = '9';
  }
  const size_t nz = s.find_first_not_of('0');
  return nz == std::string::npos ? "0" : s.substr(nz);
}

int compare_magnitude(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a < b ? -1 : (a > b ? 1 : 0);
}

int compare(const BigInt& a, const BigInt& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  const int c = compare_magnitude(a.digits, b.digits);
  return a.negative ? -c : c;
}

BigInt add_one(BigInt v) {
  if (!v.negative) return {false, magnitude_add_one(v.digits)};
  v.digits = magnitude_sub_one(v.digits);
  if (v.digits == "0") v.negative = false;
  return v;
}

BigInt sub_one(BigInt v) {
  if (v.negative) return {true, magnitude_add_one(v.digits)};
  if (v.digits == "0") return {true, "1"};
  return {false, magnitude_sub_one(v.digits)};
}

// An integral JSON number as a BigInt, rounded up (ceil) or down.
BigInt to_big(const Json& n, bool round_up) {
  if (n.is_number_unsigned()) return {false, std::to_string(n.get<uint64_t>())};
  if (n.is_number_integer()) {
    const int64_t v = n.get<int64_t>();
    std::string mag = std::to_string(v);
    if (v < 0) return {true, mag.substr(1)};
    return {false, mag};
  }
  const double d = round_up ? std::ceil(n.get<double>()) : std::floor(n.get<double>());
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.0f", std::fabs(d));
  BigInt out{d < 0, buf};
  if (out.digits == "0") out.negative = false;
  return out;
}

std::string digit_class(char lo, char hi) {
  if (lo == hi) return std::string("\"") + lo + "\"";
  return std::string("[") + lo + "-" + hi + "]";
}

std::string any_digits(size_t n) { return n == 0 ? "" : gbnf::repeat("[0-9]", static_cast<int>(n), static_cast<int>(n)); }

std::string seq(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + " " + b;
}

// Digit strings of s.size() digits that are >= s (or <= s).
std::string at_least(const std::string& s) {
  if (s.empty()) return "";
  if (s.find_first_not_of('0') == std::string::npos) return any_digits(s.size());
  std::string out = "(" + seq(digit_class(s[0], s[0]), at_least(s.substr(1)));
  if (s[0] < '9') out += " | " + seq(digit_class(static_cast<char>(s[0] + 1), '9'), any_digits(s.size() - 1));
  return out + ")";
}

std::string at_most(const std::string& s) {
  if (s.empty()) return "";
  if (s.find_first_not_of('9') == std::string::npos) return any_digits(s.size());
  std::string out = "(" + seq(digit_class(s[0], s[0]), at_most(s.substr(1)));
  if (s[0] > '0') out += " | " + seq(digit_class('0', static_cast<char>(s[0] - 1)), any_digits(s.size() - 1));
  return out + ")";
}

// Digit strings between a and b inclusive, both of the same length.
std::string fixed_length_range(const std::string& a, const std::string& b) {
  size_t p = 0;
  while (p < a.size() && a[p] == b[p]) ++p;
  const std::string prefix = p ? gbnf::literal(a.substr(0, p)) : "";
  if (p == a.size()) return prefix;
  const std::string ta = a.substr(p + 1);
  const std::string tb = b.substr(p + 1);
  const bool full = ta.find_first_not_of('0') == std::string::npos && tb.find_first_not_of('9') == std::string::npos;
  if (full) return seq(prefix, seq(digit_class(a[p], b[p]), any_digits(ta.size())));
  std::string alts = seq(digit_class(a[p], a[p]), at_least(ta));
  if (b[p] - a[p] >= 2)
    alts += " | " + seq(digit_class(static_cast<char>(a[p] + 1), static_cast<char>(b[p] - 1)), any_digits(ta.size()));
  alts += " | " + seq(digit_class(b[p], b[p]), at_most(tb));
  return seq(prefix, "(" + alts + ")");
}

// Canonical decimal numerals (no leading zeros) of one length within [lo, hi].
std::string numerals_of_length(size_t len, const std::string& lo, const std::optional<std::string>& hi) {
  const std::string smallest = len == 1 ? "0" : "1" + std::string(len - 1, '0');
  const std::string a = compare_magnitude(lo, smallest) > 0 ? lo : smallest;
  std::string b(len, '9');
  if (hi && compare_magnitude(*hi, b) < 0) b = *hi;
  return fixed_length_range(a, b);
}

// Canonical numerals in [lo, hi] (hi empty: unbounded), as alternatives per length,
// each passed through `decorate` with its length (numbers append fractions there).
template <typename Decorate>
std::vector<std::string> numerals(const std::string& lo, const std::optional<std::string>& hi, Decorate decorate) {
  std::vector<std::string> alts;
  if (hi && compare_magnitude(lo, *hi) > 0) return alts;
  const size_t last = hi ? hi->size() : lo.size();
  for (size_t len = lo.size(); len <= last; ++len) {
    std::string d = decorate(numerals_of_length(len, lo, hi), len);
    if (!d.empty()) alts.push_back(d);
  }
  if (!hi) {
    std::string d = decorate("[1-9] [0-9]{" + std::to_string(lo.size()) + ",}", 0);
    if (!d.empty()) alts.push_back(d);
  }
  return alts;
}

std::string alternation(const std::vector<std::string>& alts) {
  std::string out;
  for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i];
  return alts.size() == 1 ? out : "(" + out + ")";
}

// Integers in [lo, hi]; either bound may be absent.
Expr integer_range(const std::optional<BigInt>& lo, const std::optional<BigInt>& hi) {
  if (lo && hi && compare(*lo, *hi) > 0) return std::nullopt;
  auto plain = [](const std::string& e, size_t) { return e; };
  std::vector<std::string> alts;
  const BigInt zero;
  if (!hi || compare(*hi, zero) >= 0) {
    const std::string from = (lo && compare(*lo, zero) > 0) ? lo->digits : "0";
    std::optional<std::string> to;
    if (hi) to = hi->digits;
    for (std::string& a : numerals(from, to, plain)) alts.push_back(std::move(a));
  }
  if (!lo || compare(*lo, zero) < 0) {
    const std::string from = (hi && hi->negative) ? hi->digits : "1";
    std::optional<std::string> to;
    if (lo) to = lo->digits;
    const std::vector<std::string> mags = numerals(from, to, plain);
    if (!mags.empty()) alts.push_back("\"-\" " + alternation(mags));
  }
  if (alts.empty()) return std::nullopt;
  return alternation(alts);
}

// --- numbers with integral bounds -------------------------------------------------
// A magnitude I.F (integer part I, fraction digits F) is allowed when I lies in
// [lo, hi] and F is of one kind: anything, all zeros, or not all zeros.
enum class Fraction { kAny, kZero, kNonZero };
struct Piece {
  int64_t lo = 0;
  std::optional<int64_t> hi;
  Fraction fraction = Fraction::kAny;
};
constexpr int kMaxSignificantDigits = 15;  // decimals this long round-trip through doubles

std::vector<Piece> lower_pieces(std::optional<std::pair<int64_t, bool>> bound) {  // magnitude >= / > c
  if (!bound) return {Piece{}};
  const auto [c, exclusive] = *bound;
  if (c < 0 || (c == 0 && !exclusive)) return {Piece{}};
  if (!exclusive) return {Piece{c, std::nullopt, Fraction::kAny}};
  return {Piece{c + 1, std::nullopt, Fraction::kAny}, Piece{c, c, Fraction::kNonZero}};
}

std::vector<Piece> upper_pieces(std::optional<std::pair<int64_t, bool>> bound) {  // magnitude <= / < d
  if (!bound) return {Piece{}};
  const auto [d, exclusive] = *bound;
  std::vector<Piece> out;
  if (d >= 1) out.push_back(Piece{0, d - 1, Fraction::kAny});
  if (!exclusive && d >= 0) out.push_back(Piece{d, d, Fraction::kZero});
  return out;
}

std::optional<Piece> intersect(const Piece& a, const Piece& b) {
  Piece out;
  out.lo = std::max(a.lo, b.lo);
  out.hi = a.hi ? (b.hi ? std::min(*a.hi, *b.hi) : *a.hi) : b.hi;
  if (out.hi && *out.hi < out.lo) return std::nullopt;
  if (a.fraction == Fraction::kAny) out.fraction = b.fraction;
  else if (b.fraction == Fraction::kAny || b.fraction == a.fraction) out.fraction = a.fraction;
  else return std::nullopt;
  return out;
}

std::string fraction_text(Fraction kind, int room) {
  if (room <= 0) return kind == Fraction::kNonZero ? std::string() : std::string("\"\"");
  switch (kind) {
    case Fraction::kAny: return "(\".\" " + gbnf::repeat("[0-9]", 1, room) + ")?";
    case Fraction::kZero: return "(\".\" " + gbnf::repeat("\"0\"", 1, room) + ")?";
    case Fraction::kNonZero:
      return room == 1 ? "\".\" [1-9]" : "\".\" " + gbnf::repeat("[0-9]", 0, room - 1) + " [1-9]";
  }
  return "";
}

std::vector<std::string> piece_alternatives(const Piece& p) {
  const int64_t cap = 999999999999999;  // kMaxSignificantDigits nines
  const int64_t hi = p.hi ? std::min(*p.hi, cap) : cap;
  if (hi < p.lo) return {};
  return numerals(std::to_string(p.lo), std::to_string(hi), [&](const std::string& integer, size_t len) {
    const std::string frac = fraction_text(p.fraction, kMaxSignificantDigits - static_cast<int>(len));
    if (frac.empty()) return std::string();
    return frac == "\"\"" ? integer : integer + " " + frac;
  });
}

}  // namespace

Expr Compiler::number_value(const Json& schema, const std::string& pointer, bool integer_only) {
  static const char* kBounds[] = {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"};
  for (const char* k : kBounds)
    if (schema.contains(k) && !schema[k].is_number())
      throw SchemaError(k, pointer, std::string("\"") + k + "\" must be a number");
  std::optional<Json> multiple;
  if (schema.contains("multipleOf")) {
    const Json& m = schema["multipleOf"];
    if (!m.is_number() || m.get<double>() <= 0) throw SchemaError("multipleOf", pointer, "must be a positive number");
    const double d = m.get<double>();
    if (d != std::floor(d)) throw SchemaError("multipleOf", pointer, "non-integer multipleOf is not supported");
    if (d == 1) integer_only = true;
    else multiple = m;
  }
  const bool bounded = schema.contains("minimum") || schema.contains("exclusiveMinimum") || schema.contains("maximum") ||
                       schema.contains("exclusiveMaximum");
  if (multiple) {
    if (bounded) throw SchemaError("multipleOf", pointer, "multipleOf together with bounds is not supported");
    if (!multiple->is_number_integer() || multiple->get<int64_t>() > 1000)
      throw SchemaError("multipleOf", pointer, "multipleOf above 1000 is not supported");
    const int k = static_cast<int>(multiple->get<int64_t>());
    // State r: the digits so far are congruent to r modulo k; only state 0 may end.
    std::vector<std::string> names;
    for (int r = 0; r < k; ++r) names.push_back(reserve_rule("mod" + std::to_string(k) + "-" + std::to_string(r)));
    auto transitions = [&](int r, char first_digit) {
      std::vector<std::string> alts;
      for (int target = 0; target < k; ++target) {
        regex::CharSet digits;
        for (char d = first_digit; d <= '9'; ++d)
          if ((r * 10 + (d - '0')) % k == target) digits.add(static_cast<char32_t>(d), static_cast<char32_t>(d));
        if (!digits.empty()) alts.push_back(gbnf::char_class(digits) + " " + names[static_cast<size_t>(target)]);
      }
      return alts;
    };
    for (int r = 0; r < k; ++r) {
      std::vector<std::string> alts = transitions(r, '0');
      if (r == 0) alts.insert(alts.begin(), "\"\"");
      std::string body;
      for (size_t i = 0; i < alts.size(); ++i) body += (i ? " | " : "") + alts[i];
      define_rule(names[static_cast<size_t>(r)], body);
    }
    return "(\"0\" | \"-\"? " + alternation(transitions(0, '1')) + ")";
  }
  if (integer_only) {
    std::optional<BigInt> lo;
    std::optional<BigInt> hi;
    auto tighten_lo = [&](BigInt v) {
      if (!lo || compare(v, *lo) > 0) lo = v;
    };
    auto tighten_hi = [&](BigInt v) {
      if (!hi || compare(v, *hi) < 0) hi = v;
    };
    if (schema.contains("minimum")) tighten_lo(to_big(schema["minimum"], true));
    if (schema.contains("exclusiveMinimum")) tighten_lo(add_one(to_big(schema["exclusiveMinimum"], false)));
    if (schema.contains("maximum")) tighten_hi(to_big(schema["maximum"], false));
    if (schema.contains("exclusiveMaximum")) tighten_hi(sub_one(to_big(schema["exclusiveMaximum"], true)));
    if (!lo && !hi) return "(\"-\"? (\"0\" | [1-9] [0-9]*))";
    return integer_range(lo, hi);
  }
  if (!bounded) return "number";
  // Bounds on non-integers: integral bounds only, small enough for exact comparison.
  std::optional<std::pair<int64_t, bool>> lower;  // value >= (or >) first
  std::optional<std::pair<int64_t, bool>> upper;
  for (const char* k : kBounds) {
    if (!schema.contains(k)) continue;
    const double d = schema[k].get<double>();
    if (d != std::floor(d) || std::fabs(d) > 1e15)
      throw SchemaError(k, pointer, "bounds on numbers must be integers of at most 15 digits");
    const auto v = static_cast<int64_t>(d);
    const std::string key = k;
    const bool exclusive = key.rfind("exclusive", 0) == 0;
    const bool is_lower = key.find("inimum") != std::string::npos;
    auto& slot = is_lower ? lower : upper;
    const bool tighter = !slot || (is_lower ? (v > slot->first || (v == slot->first && exclusive))
                                            : (v < slot->first || (v == slot->first && exclusive)));
    if (tighter) slot = std::make_pair(v, exclusive);
  }
  std::vector<std::string> alts;
  auto emit = [&](const std::vector<Piece>& a, const std::vector<Piece>& b, const std::vector<Piece>& c,
                  const std::string& sign) {
    for (const Piece& x : a)
      for (const Piece& y : b)
        for (const Piece& z : c)
          if (auto xy = intersect(x, y)) {
            if (auto p = intersect(*xy, z)) {
              const std::vector<std::string> pa = piece_alternatives(*p);
              if (!pa.empty()) alts.push_back(sign + alternation(pa));
            }
          }
  };
  // Non-negative values: the magnitude obeys the bounds directly.
  emit(lower_pieces(lower), upper_pieces(upper), {Piece{}}, "");
  // Negative values -m (m > 0): v >= a is m <= -a, v > a is m < -a, and so on.
  std::optional<std::pair<int64_t, bool>> neg_upper;
  std::optional<std::pair<int64_t, bool>> neg_lower;
  if (lower) neg_upper = std::make_pair(-lower->first, lower->second);
  if (upper) neg_lower = std::make_pair(-upper->first, upper->second);
  emit(lower_pieces(neg_lower), upper_pieces(neg_upper), lower_pieces(std::make_pair(int64_t{0}, true)), "\"-\" ");
  if (alts.empty()) return std::nullopt;
  return alternation(alts);
}

}  // namespace slm::grammar::schema
