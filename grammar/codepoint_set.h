// A set of Unicode code points as sorted, disjoint, non-adjacent closed ranges: what a
// GBNF character class or `.` stands for before it is turned into UTF-8 byte paths.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace slm::grammar {

inline constexpr uint32_t kMaxCodepoint = 0x10FFFF;

class CodepointSet {
 public:
  enum class Coverage { None, Partial, Full };

  void add(uint32_t lo, uint32_t hi);  // lo <= hi <= kMaxCodepoint
  // Everything in [0, kMaxCodepoint] that is not in the set.
  CodepointSet complement() const;
  // The set without the surrogates U+D800..U+DFFF, which have no UTF-8 encoding. From
  // a set about to be dropped, taken over without a copy when it holds none.
  CodepointSet without_surrogates() const&;
  CodepointSet without_surrogates() &&;
  CodepointSet intersect(uint32_t lo, uint32_t hi) const;
  // How much of [lo, hi] the set holds.
  Coverage coverage(uint32_t lo, uint32_t hi) const;
  bool empty() const { return ranges_.empty(); }
  const std::vector<std::pair<uint32_t, uint32_t>>& ranges() const { return ranges_; }

 private:
  std::vector<std::pair<uint32_t, uint32_t>> ranges_;
};

}  // namespace slm::grammar
