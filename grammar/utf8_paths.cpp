#include "grammar/utf8_paths.h"

namespace slm::grammar {

namespace {

class PathBuilder {
 public:
  explicit PathBuilder(Utf8Paths& out) : out_(out) {}

  // Bytes lo..hi each stand for a block of 64^rest code points starting at `base`.
  void level(const CodepointSet& set, uint32_t from, uint8_t lo, uint8_t hi, uint32_t base, int rest) {
    if (rest == 0) {
      // Last byte: one code point each, so the set's ranges are the byte ranges.
      for (const auto& [first, last] : set.ranges())
        edge(from, static_cast<uint8_t>(lo + (first - base)), static_cast<uint8_t>(lo + (last - base)), Utf8Paths::kEnd);
      return;
    }
    const uint32_t block = 1u << (6 * rest);
    int full_start = -1;  // first byte of the current run of fully covered blocks
    auto close_run = [&](int end_byte) {
      if (full_start < 0) return;
      edge(from, static_cast<uint8_t>(full_start), static_cast<uint8_t>(end_byte), any_continuation(rest));
      full_start = -1;
    };
    for (int b = lo; b <= hi; ++b) {
      const uint32_t first = base + static_cast<uint32_t>(b - lo) * block;
      const auto cov = set.coverage(first, first + block - 1);
      if (cov == CodepointSet::Coverage::Full) {
        if (full_start < 0) full_start = b;
        continue;
      }
      close_run(b - 1);
      if (cov == CodepointSet::Coverage::Partial) {
        const uint32_t mid = out_.node_count++;
        edge(from, static_cast<uint8_t>(b), static_cast<uint8_t>(b), mid);
        level(set.intersect(first, first + block - 1), mid, 0x80, 0xBF, first, rest - 1);
      }
    }
    close_run(hi);
  }

 private:
  void edge(uint32_t from, uint8_t lo, uint8_t hi, uint32_t to) { out_.edges.push_back({from, lo, hi, to}); }

  // The node from which any k continuation bytes lead to the end; shared by every
  // fully covered block.
  uint32_t any_continuation(int k) {
    while (chain_.size() <= static_cast<size_t>(k)) {
      const uint32_t node = out_.node_count++;
      edge(node, 0x80, 0xBF, chain_.back());
      chain_.push_back(node);
    }
    return chain_[static_cast<size_t>(k)];
  }

  Utf8Paths& out_;
  std::vector<uint32_t> chain_{Utf8Paths::kEnd};
};

}  // namespace

Utf8Paths utf8_paths(const CodepointSet& set) {
  struct Length {
    uint32_t lo, hi;   // code points of this encoded length
    uint8_t lead_lo;   // lead bytes, the first standing for code points from 0 on
    uint8_t lead_hi;
    int rest;          // continuation bytes
  };
  static constexpr Length kLengths[] = {
      {0x0, 0x7F, 0x00, 0x7F, 0},
      {0x80, 0x7FF, 0xC0, 0xDF, 1},
      {0x800, 0xFFFF, 0xE0, 0xEF, 2},
      {0x10000, kMaxCodepoint, 0xF0, 0xF7, 3},
  };
  Utf8Paths out;
  PathBuilder builder(out);
  for (const Length& len : kLengths) {
    const CodepointSet part = set.intersect(len.lo, len.hi);
    if (!part.empty()) builder.level(part, Utf8Paths::kStart, len.lead_lo, len.lead_hi, 0, len.rest);
  }
  return out;
}

}  // namespace slm::grammar
