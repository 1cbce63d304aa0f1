// The parsed form of a JSON Schema `pattern` (an ECMA-262 subset): code point sets,
// sequences, alternations and bounded/unbounded repetition. Shared by the regex
// compiler and the JSON Schema compiler, which emit it as GBNF in different contexts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace slm::grammar::regex {

inline constexpr char32_t kMaxCodePoint = 0x10FFFF;

// A set of code points as sorted, disjoint, non-adjacent inclusive ranges.
class CharSet {
 public:
  CharSet() = default;
  static CharSet range(char32_t first, char32_t last);
  static CharSet any();  // every code point UTF-8 can encode (no surrogates)

  void add(char32_t first, char32_t last);
  void add(const CharSet& other);
  CharSet complement() const;  // within any()
  CharSet intersect(const CharSet& other) const;
  bool contains(char32_t c) const;
  bool empty() const { return ranges_.empty(); }
  const std::vector<std::pair<char32_t, char32_t>>& ranges() const { return ranges_; }

 private:
  std::vector<std::pair<char32_t, char32_t>> ranges_;
};

inline constexpr int kUnbounded = -1;

struct Node {
  enum class Kind { kChars, kSequence, kAlternation, kRepeat };
  Kind kind = Kind::kSequence;
  CharSet chars;             // kChars
  std::vector<Node> items;   // kSequence / kAlternation; kRepeat: exactly one
  int min = 0;               // kRepeat
  int max = 0;               // kRepeat; kUnbounded for no upper bound
};

// One top-level alternative with its anchors: an unanchored side may be extended by
// any text (JSON Schema patterns match anywhere in the string).
struct Branch {
  bool anchored_start = false;
  bool anchored_end = false;
  Node body;
};

struct Pattern {
  std::vector<Branch> branches;
};

// Parses a pattern written in UTF-8. Throws slm::Error naming the construct for
// anything outside the supported subset (backreferences, lookaround, word boundaries,
// unicode property escapes, anchors that are not at the ends of a top-level branch).
Pattern parse(std::string_view pattern);

// Lengths (in code points) of the strings a node matches; max is empty when unbounded.
struct LengthRange {
  size_t min = 0;
  std::optional<size_t> max;
};
LengthRange length_range(const Node& node);

// Whether a search for the pattern succeeds in every string: some branch matches the
// empty string and is not anchored at both ends.
bool matches_every_string(const Pattern& pattern);

// The same language restricted to strings whose length lies in [min, max] (max empty
// = unbounded), when that restriction can be written by tightening one repetition;
// nothing when it cannot.
std::optional<Node> restrict_length(const Node& node, size_t min, std::optional<size_t> max);

}  // namespace slm::grammar::regex
