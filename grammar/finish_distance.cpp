#include "grammar/finish_distance.h"

#include <algorithm>

namespace slm::grammar {

namespace {

uint32_t add(uint32_t a, uint32_t b) { return a == kCannotFinish || b == kCannotFinish ? kCannotFinish : a + b; }

}  // namespace

// Shortest paths with non-negative costs: relax until nothing changes. A byte costs 1, a
// rule call costs the called rule's distance from its start; every pass over the nodes
// fixes at least the nodes whose best path is one step longer, and real grammars settle
// in a few passes.
std::vector<uint32_t> finish_distances(const Grammar& g) {
  const auto n = static_cast<uint32_t>(g.node_count());
  std::vector<uint32_t> d(n, kCannotFinish);
  for (uint32_t v = 0; v < n; ++v) {
    if (g.is_final(v)) d[v] = 0;
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (uint32_t v = n; v-- > 0;) {
      uint32_t best = d[v];
      for (const ByteEdge& e : g.byte_edges(v)) best = std::min(best, add(1, d[e.to]));
      for (const RuleCall& c : g.calls(v)) best = std::min(best, add(d[c.start], c.ret == kNoNode ? 0 : d[c.ret]));
      if (best < d[v]) {
        d[v] = best;
        changed = true;
      }
    }
  }
  return d;
}

}  // namespace slm::grammar
