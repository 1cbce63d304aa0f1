// How far each automaton node is from the end of its rule: the fewest bytes that finish
// the rule from there. A parser stack needs the sum over its frames to finish the whole
// text, which lets generation steer toward a complete output before its budget runs out.
#pragma once

#include <cstdint>
#include <vector>

#include "grammar/grammar.h"

namespace slm::grammar {

inline constexpr uint32_t kCannotFinish = UINT32_MAX;

// distance[node] for every node of `g`; kCannotFinish where no byte string ends the rule
// (compile_gbnf rejects grammars whose rules cannot finish, so only unreachable nodes).
std::vector<uint32_t> finish_distances(const Grammar& g);

}  // namespace slm::grammar
