// Code point set arithmetic for the regex compiler.
#include <algorithm>

#include "grammar/regex_ast.h"

namespace slm::grammar::regex {

namespace {
constexpr char32_t kSurrogateFirst = 0xD800;
constexpr char32_t kSurrogateLast = 0xDFFF;
}  // namespace

CharSet CharSet::range(char32_t first, char32_t last) {
  CharSet s;
  s.add(first, last);
  return s;
}

CharSet CharSet::any() {
  CharSet s;
  s.add(0, kSurrogateFirst - 1);
  s.add(kSurrogateLast + 1, kMaxCodePoint);
  return s;
}

void CharSet::add(char32_t first, char32_t last) {
  if (first > last) return;
  ranges_.emplace_back(first, last);
  std::sort(ranges_.begin(), ranges_.end());
  std::vector<std::pair<char32_t, char32_t>> merged;
  for (const auto& r : ranges_) {
    if (!merged.empty() && r.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  ranges_ = std::move(merged);
}

void CharSet::add(const CharSet& other) {
  for (const auto& r : other.ranges_) add(r.first, r.second);
}

CharSet CharSet::complement() const {
  CharSet out;
  char32_t next = 0;
  for (const auto& r : ranges_) {
    if (r.first > next) out.add(next, r.first - 1);
    next = r.second + 1;
  }
  if (next <= kMaxCodePoint) out.add(next, kMaxCodePoint);
  return out.intersect(any());
}

CharSet CharSet::intersect(const CharSet& other) const {
  CharSet out;
  for (const auto& a : ranges_) {
    for (const auto& b : other.ranges_) {
      const char32_t lo = std::max(a.first, b.first);
      const char32_t hi = std::min(a.second, b.second);
      if (lo <= hi) out.ranges_.emplace_back(lo, hi);
    }
  }
  std::sort(out.ranges_.begin(), out.ranges_.end());
  return out;
}

bool CharSet::contains(char32_t c) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [c](const auto& r) { return r.first <= c && c <= r.second; });
}

}  // namespace slm::grammar::regex
