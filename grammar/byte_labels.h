// Bytes labelled with their place in a UTF-8 character. A token-trie subtree is
// summarised by the set of labels of its nodes, and a stack set by the labels it can
// take forever without dying (see SetAutomaton::safe_labels); when the first includes the
// second, every token of the subtree is accepted without walking it.
//
// The label keeps the UTF-8 position because grammar character classes are strict UTF-8
// paths: after E3 only continuation bytes fit, after E0 only A0..BF. Judging bytes alone,
// a JSON string would reject every continuation byte at a character start and so every
// subtree holding a non-ASCII token.
#pragma once

#include <array>
#include <cstdint>

namespace slm::grammar {

// Where a byte stands: at a character start, or with continuation bytes still owed
// (after E0, ED, F0 and F4 the next one has a narrower range, so those are told apart).
enum Utf8Position : uint8_t { kCharStart, kNeed1, kNeed2, kNeed3, kAfterE0, kAfterED, kAfterF0, kAfterF4 };
inline constexpr unsigned kUtf8Positions = 8;

// One label per byte at a character start, one per continuation byte valid at each owed
// position, and one shared by every byte that does not fit where it stands (a stray
// continuation byte, a character cut short); such a byte is then read as a new start.
inline constexpr unsigned kLabelCount = 256 + 3 * 64 + 32 + 32 + 48 + 16 + 1;
inline constexpr uint16_t kMisfitLabel = kLabelCount - 1;

struct Utf8Step {
  uint16_t label;
  uint8_t after;  // the position after the byte
};

namespace detail {

struct Continuation {
  uint8_t lo, hi;     // the valid continuation bytes at this position
  uint8_t after;      // position once one is taken
  uint16_t first;     // label of `lo`
};

constexpr Continuation continuation(unsigned pos) {
  switch (pos) {
    case kNeed1: return {0x80, 0xBF, kCharStart, 256};
    case kNeed2: return {0x80, 0xBF, kNeed1, 320};
    case kNeed3: return {0x80, 0xBF, kNeed2, 384};
    case kAfterE0: return {0xA0, 0xBF, kNeed1, 448};
    case kAfterED: return {0x80, 0x9F, kNeed1, 480};
    case kAfterF0: return {0x90, 0xBF, kNeed2, 512};
    default: return {0x80, 0x8F, kNeed2, 560};  // kAfterF4
  }
}

constexpr uint8_t after_start(unsigned b) {
  if (b >= 0xC2 && b <= 0xDF) return kNeed1;
  if (b == 0xE0) return kAfterE0;
  if (b == 0xED) return kAfterED;
  if (b >= 0xE1 && b <= 0xEF) return kNeed2;
  if (b == 0xF0) return kAfterF0;
  if (b >= 0xF1 && b <= 0xF3) return kNeed3;
  if (b == 0xF4) return kAfterF4;
  return kCharStart;  // ASCII, and bytes that cannot start a character
}

constexpr std::array<std::array<Utf8Step, 256>, kUtf8Positions> make_steps() {
  std::array<std::array<Utf8Step, 256>, kUtf8Positions> t{};
  for (unsigned b = 0; b < 256; ++b) {
    const bool fits = b < 0x80 || (b >= 0xC2 && b <= 0xF4);
    t[kCharStart][b] = {static_cast<uint16_t>(fits ? b : kMisfitLabel), after_start(b)};
  }
  for (unsigned pos = kNeed1; pos < kUtf8Positions; ++pos) {
    const Continuation c = continuation(pos);
    for (unsigned b = 0; b < 256; ++b) {
      t[pos][b] = b >= c.lo && b <= c.hi ? Utf8Step{static_cast<uint16_t>(c.first + b - c.lo), c.after}
                                         : Utf8Step{kMisfitLabel, after_start(b)};
    }
  }
  return t;
}

inline constexpr auto kUtf8Steps = make_steps();

}  // namespace detail

// The bytes that fit at a position (all others are misfits): at a character start ASCII
// and the lead bytes C2..F4, else the continuation bytes valid there (and an empty range).
struct ByteRange {
  uint8_t lo, hi;
};
inline constexpr std::array<ByteRange, 2> kAllBytes{{{0x00, 0x7F}, {0x80, 0xFF}}};
inline std::array<ByteRange, 2> fitting_bytes(uint8_t pos) {
  if (pos == kCharStart) return {{{0x00, 0x7F}, {0xC2, 0xF4}}};
  const detail::Continuation c = detail::continuation(pos);
  return {{{c.lo, c.hi}, {1, 0}}};
}

inline Utf8Step utf8_step(uint8_t pos, uint8_t byte) { return detail::kUtf8Steps[pos][byte]; }

// Whether a byte with this label begins a character (a misfit byte is read as a new
// start). Counting these counts the characters of a byte string, a partial last one
// included: bounded repeats of a character class are bounds on this count.
inline bool starts_char(uint16_t label) { return label < 256 || label == kMisfitLabel; }

class LabelSet {
 public:
  static LabelSet all() {
    LabelSet s;
    for (unsigned l = 0; l < kLabelCount; ++l) s.add(static_cast<uint16_t>(l));
    return s;
  }
  void add(uint16_t label) { words_[label >> 6] |= uint64_t{1} << (label & 63); }
  void remove(uint16_t label) { words_[label >> 6] &= ~(uint64_t{1} << (label & 63)); }
  bool operator==(const LabelSet&) const = default;
  bool contains(uint16_t label) const { return (words_[label >> 6] >> (label & 63)) & 1u; }
  bool includes(const LabelSet& other) const {
    for (size_t w = 0; w < kWords; ++w) {
      if ((other.words_[w] & ~words_[w]) != 0) return false;
    }
    return true;
  }
  bool empty() const {
    for (const uint64_t w : words_) {
      if (w != 0) return false;
    }
    return true;
  }
  LabelSet& operator|=(const LabelSet& other) {
    for (size_t w = 0; w < kWords; ++w) words_[w] |= other.words_[w];
    return *this;
  }
  LabelSet without(const LabelSet& other) const {
    LabelSet s;
    for (size_t w = 0; w < kWords; ++w) s.words_[w] = words_[w] & ~other.words_[w];
    return s;
  }

 private:
  static constexpr size_t kWords = (kLabelCount + 63) / 64;
  std::array<uint64_t, kWords> words_{};
};

}  // namespace slm::grammar
