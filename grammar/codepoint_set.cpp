#include "grammar/codepoint_set.h"

#include <algorithm>

namespace slm::grammar {

void CodepointSet::add(uint32_t lo, uint32_t hi) {
  // Insert, then merge every range that overlaps or touches [lo, hi].
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), lo,
                             [](const auto& r, uint32_t v) { return r.second + 1 < v; });
  auto last = it;
  while (last != ranges_.end() && last->first <= hi + 1) {
    lo = std::min(lo, last->first);
    hi = std::max(hi, last->second);
    ++last;
  }
  it = ranges_.erase(it, last);
  ranges_.insert(it, {lo, hi});
}

CodepointSet CodepointSet::complement() const {
  CodepointSet out;
  uint32_t next = 0;
  for (const auto& [lo, hi] : ranges_) {
    if (lo > next) out.ranges_.push_back({next, lo - 1});
    next = hi + 1;
  }
  if (next <= kMaxCodepoint) out.ranges_.push_back({next, kMaxCodepoint});
  return out;
}

CodepointSet CodepointSet::intersect(uint32_t lo, uint32_t hi) const {
  CodepointSet out;
  for (const auto& [a, b] : ranges_) {
    const uint32_t x = std::max(a, lo);
    const uint32_t y = std::min(b, hi);
    if (x <= y) out.ranges_.push_back({x, y});
  }
  return out;
}

CodepointSet CodepointSet::without_surrogates() const& {
  if (coverage(0xD800, 0xDFFF) == Coverage::None) return *this;
  CodepointSet out = intersect(0, 0xD7FF);
  for (const auto& r : intersect(0xE000, kMaxCodepoint).ranges_) out.ranges_.push_back(r);
  return out;
}

CodepointSet CodepointSet::without_surrogates() && {
  if (coverage(0xD800, 0xDFFF) == Coverage::None) return std::move(*this);
  return static_cast<const CodepointSet&>(*this).without_surrogates();
}

CodepointSet::Coverage CodepointSet::coverage(uint32_t lo, uint32_t hi) const {
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), lo, [](const auto& r, uint32_t v) { return r.second < v; });
  if (it == ranges_.end() || it->first > hi) return Coverage::None;
  return it->first <= lo && it->second >= hi ? Coverage::Full : Coverage::Partial;
}

}  // namespace slm::grammar
