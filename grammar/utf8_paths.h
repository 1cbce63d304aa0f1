// The UTF-8 encodings of a code point set as a small deterministic byte automaton. A
// grammar spells the same few classes many times (a JSON string character, "any key
// character but these"), so the automaton builder works this out once per distinct
// class and stamps out copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "grammar/codepoint_set.h"

namespace slm::grammar {

struct Utf8Paths {
  static constexpr uint32_t kStart = 0;  // where the class begins
  static constexpr uint32_t kEnd = 1;    // after one whole code point
  struct Edge {
    uint32_t from;
    uint8_t lo;
    uint8_t hi;
    uint32_t to;
  };
  uint32_t node_count = 2;  // kStart, kEnd, then the nodes inside multi-byte encodings
  std::vector<Edge> edges;
};

Utf8Paths utf8_paths(const CodepointSet& set);

}  // namespace slm::grammar
