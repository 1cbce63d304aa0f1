#include "grammar/set_automaton.h"

#include <algorithm>
#include <bit>

namespace slm::grammar {

namespace {

// Bounds on the greedy search of safe_labels: past them it settles for what it has
// proven (possibly nothing), which only means more of the trie is walked.
constexpr size_t kMaxSafeStates = 32;
constexpr int kMaxSafeRounds = 8;
// Sets taking fewer distinct bytes are not searched (they get no safe labels): a whole
// trie subtree of more than kSummaryMinNodes nodes rarely fits in so few bytes, and
// the search costs more than walking it.
constexpr int kMinSearchBytes = 32;

}  // namespace

uint32_t SetAutomaton::intern(StackSet s) {
  std::string k(reinterpret_cast<const char*>(s.data()), s.size() * sizeof(uint32_t));
  const auto [it, added] = ids_.try_emplace(std::move(k), static_cast<uint32_t>(sets_.size()));
  if (added) {
    Info info;
    for (const uint32_t f : s) {
      if (f != kEmptyStack && pool_.node(f) == kContextNode) {
        info.exited = true;
      } else if (f != kEmptyStack) {
        info.live = true;
        for (const ByteEdge& e : grammar_.byte_edges(pool_.node(f))) {
          for (unsigned b = e.lo; b <= e.hi; ++b) info.takes[b >> 6] |= uint64_t{1} << (b & 63);
        }
      }
    }
    info.nonempty = !s.empty();
    info_.push_back(info);
    sets_.push_back(std::move(s));
    next_.emplace_back();
    safe_of_.push_back({});
    safe_of_.back().fill(kUnknown);
    seen_round_.push_back(0);
    seen_positions_.push_back(0);
  }
  return it->second;
}

uint32_t SetAutomaton::next(uint32_t set, uint8_t byte) {
  if (next_[set].empty()) next_[set].assign(256, kUnknown);
  if (next_[set][byte] == kUnknown) {
    // Bytes covered by exactly the same edges of the set's stacks lead to the same set,
    // so one step fills the whole run of such bytes around `byte`.
    unsigned lo = 0, hi = 255;
    bool taken = false;
    for (const uint32_t f : sets_[set]) {
      if (f == kEmptyStack || pool_.node(f) == kContextNode) continue;
      for (const ByteEdge& e : grammar_.byte_edges(pool_.node(f))) {
        if (e.lo <= byte && byte <= e.hi) {
          lo = std::max<unsigned>(lo, e.lo);
          hi = std::min<unsigned>(hi, e.hi);
          taken = true;
        } else if (e.hi < byte) {
          lo = std::max<unsigned>(lo, e.hi + 1u);
        } else {
          hi = std::min<unsigned>(hi, e.lo - 1u);
        }
      }
    }
    uint32_t id = dead_;
    if (taken) {
      StackSet out;
      stepper_.step(pool_, sets_[set], byte, out);
      id = intern(std::move(out));
    }
    std::fill(next_[set].begin() + lo, next_[set].begin() + hi + 1, id);
  }
  return next_[set][byte];
}

const LabelSet& SetAutomaton::safe_labels(uint32_t set, uint8_t position) {
  if (safe_of_[set][position] == kUnknown) {
    int bytes_taken = 0;
    for (const uint64_t w : info_[set].takes) bytes_taken += std::popcount(w);
    if (bytes_taken < kMinSearchBytes) {
      safe_of_[set][position] = static_cast<uint32_t>(safe_.size());
      safe_.emplace_back();
    } else {
      find_safe_labels(set, position);
    }
  }
  return safe_[safe_of_[set][position]];
}

// Explores the (stack set, UTF-8 position) pairs reachable with the allowed labels.
// When a byte kills every stack somewhere, the blame goes to the byte's label if it is
// not fine from the start, else to the latest label on the path after which, taken from
// the start, the byte dies too: in a string body 'a' is fine, and the quote that ended
// the string earlier on the path is what to drop. Blamed labels are dropped and the
// search runs again until nothing dies. The labels found are safe from every pair of the
// final search too (all it reaches, the start reaches), so those pairs get them without
// a search of their own.
void SetAutomaton::find_safe_labels(uint32_t start, uint8_t start_position) {
  struct State {
    uint32_t set;
    uint8_t position;
    uint8_t byte;     // taken from the parent
    uint16_t label;   // of that byte
    uint16_t via;     // first label on the path from the start
    uint32_t parent;
  };
  LabelSet allowed = LabelSet::all();
  std::vector<State> states;
  auto culprit = [&](size_t k, uint8_t byte, uint16_t label) {
    if (k == 0 || utf8_step(start_position, byte).label != label || !nonempty(next(start, byte))) return label;
    for (size_t j = k; j != 0; j = states[j].parent) {
      if (!nonempty(next(next(start, states[j].byte), byte))) return states[j].label;
    }
    return label;
  };
  // A pair whose own safe labels hold all the allowed ones needs no exploring.
  auto safe_from = [&](uint32_t set, uint8_t position, const LabelSet& labels) {
    return safe_of_[set][position] != kUnknown && safe_[safe_of_[set][position]].includes(labels);
  };
  auto first_visit = [&](uint32_t set, uint8_t position) {
    if (seen_round_[set] != round_) {
      seen_round_[set] = round_;
      seen_positions_[set] = 0;
    }
    const auto bit = static_cast<uint8_t>(1u << position);
    if (seen_positions_[set] & bit) return false;
    seen_positions_[set] |= bit;
    return true;
  };
  LabelSet blamed;
  auto path_blamed = [&](size_t k) {
    for (; k != 0; k = states[k].parent) {
      if (blamed.contains(states[k].label)) return true;
    }
    return false;
  };
  // One round: explores from the start with `allowed`, blaming labels as it goes.
  auto explore = [&] {
    blamed = {};
    ++round_;
    states.assign(1, {start, start_position, 0, 0, 0, 0});
    first_visit(start, start_position);
    for (size_t k = 0; k < states.size(); ++k) {
      const State from = states[k];
      bool doomed = path_blamed(k);  // exploring on cannot save the round
      for (unsigned b = 0; b < 256 && !doomed; ++b) {
        const auto byte = static_cast<uint8_t>(b);
        const Utf8Step step = utf8_step(from.position, byte);
        if (!allowed.contains(step.label)) continue;
        const uint16_t via = k == 0 ? step.label : from.via;
        const uint32_t to = next(from.set, byte);
        if (!nonempty(to)) {
          blamed.add(culprit(k, byte, step.label));
          doomed = path_blamed(k);
        } else if (first_visit(to, step.after) && !safe_from(to, step.after, allowed)) {
          if (states.size() == kMaxSafeStates) {
            blamed.add(via);
          } else {
            states.push_back({to, step.after, byte, step.label, via, static_cast<uint32_t>(k)});
          }
        }
      }
    }
  };
  for (int round = 0; round < kMaxSafeRounds; ++round) {
    explore();
    if (blamed.empty()) break;
    allowed = allowed.without(blamed);
    if (round + 1 == kMaxSafeRounds) {
      allowed = {};
      states.resize(1);
    }
  }
  const auto index = static_cast<uint32_t>(safe_.size());
  safe_.push_back(allowed);
  for (const State& s : states) {
    if (safe_of_[s.set][s.position] == kUnknown) safe_of_[s.set][s.position] = index;
  }
}

}  // namespace slm::grammar
