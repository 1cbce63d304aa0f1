#include "grammar/set_automaton.h"

#include <algorithm>
#include <bit>

namespace slm::grammar {

namespace {

// Bounds on the greedy search of safe_labels: past them it settles for what it has
// proven (possibly nothing), which only means more of the trie is walked. A search first
// looks for labels safe for any number of characters, exploring at most
// kMaxForeverStates pairs (past that, the path's first branch is blamed). When that
// exploration is one chain of sets (a single pair at a character start per level, plus
// the middles of multi-byte characters, and no loop) that outgrows the budget, whose
// strings die by length alone (see culprit), or that meets a pair proven by counting,
// it is a bounded repeat of characters, and the search is redone counting: for as many
// levels as the longest token has characters, with kMaxLevelStates pairs per level
// (past that, the path's first branch is blamed) and one pair at a character start
// per level (a second one is a branch: the label leading there is blamed).
// An exploration whose stacks grow no deeper than the start's is a finite one (a trie
// of property names next to the undeclared keys that must avoid them, whose sets differ
// at every node): it may explore up to kMaxFlatStates pairs over all its rounds, so that
// a trie of a few hundred nodes is proven once at its root instead of failing there and
// at every node below.
constexpr size_t kMaxForeverStates = 32;
constexpr size_t kMaxFlatStates = 1024;
constexpr size_t kMaxLevelStates = 32;
constexpr int kMaxSafeRounds = 8;
// Sets taking fewer distinct bytes are not searched (they get no safe labels): a whole
// trie subtree of more than kSummaryMinNodes nodes rarely fits in so few bytes, and
// the search costs more than walking it.
constexpr int kMinSearchBytes = 32;

void set_bits(std::array<uint64_t, 4>& words, unsigned lo, unsigned hi) {
  for (unsigned w = lo >> 6; w <= hi >> 6; ++w) {
    const unsigned from = std::max(lo, w * 64) & 63;
    const unsigned to = std::min(hi, w * 64 + 63) & 63;
    words[w] |= (~uint64_t{0} >> (63 - to)) & (~uint64_t{0} << from);
  }
}

// Whether a proof of `starts` (dying after them or not) says more than `old` does.
template <typename Proof>
bool stronger(uint32_t starts, bool dies_after, const Proof& old) {
  return starts > old.starts || (starts == old.starts && dies_after && !old.dies_after);
}

}  // namespace

uint32_t SetAutomaton::intern(StackSet s) {
  std::string k(reinterpret_cast<const char*>(s.data()), s.size() * sizeof(uint32_t));
  const auto [it, added] = ids_.try_emplace(std::move(k), static_cast<uint32_t>(sets_.size()));
  if (added) {
    Info info;
    std::array<uint64_t, 4> takes{};  // bytes some stack has an edge for
    for (const uint32_t f : s) {
      if (f != kEmptyStack && pool_.node(f) == kContextNode) {
        info.exited = true;
      } else if (f != kEmptyStack) {
        info.live = true;
        for (const ByteEdge& e : grammar_.byte_edges(pool_.node(f))) set_bits(takes, e.lo, e.hi);
      }
    }
    for (const uint64_t w : takes) info.bytes_taken += std::popcount(w);
    info.nonempty = !s.empty();
    info_.push_back(info);
    sets_.push_back(std::move(s));
    next_.emplace_back();
    safe_of_.emplace_back();
    seen_round_.resize(seen_round_.size() + kUtf8Positions, 0);
    seen_level_.resize(seen_level_.size() + kUtf8Positions, 0);
  }
  return it->second;
}

uint32_t SetAutomaton::step(uint32_t set, uint8_t byte) {
  if (next_[set].empty()) next_[set].assign(256, kUnknown);
  // Bytes covered by exactly the same edges of the set's stacks lead to the same set,
  // so one step fills the whole run of such bytes around `byte`.
  unsigned lo = 0, hi = 255;
  StackSet& frames = scratch_frames_;  // where the edges taking `byte` lead
  frames.clear();
  for (const uint32_t f : sets_[set]) {
    if (f == kEmptyStack || pool_.node(f) == kContextNode) continue;
    for (const ByteEdge& e : grammar_.byte_edges(pool_.node(f))) {
      if (e.lo <= byte && byte <= e.hi) {
        lo = std::max<unsigned>(lo, e.lo);
        hi = std::min<unsigned>(hi, e.hi);
        frames.push_back(pool_.push(e.to, pool_.parent(f)));
      } else if (e.hi < byte) {
        lo = std::max<unsigned>(lo, e.hi + 1u);
      } else {
        hi = std::min<unsigned>(hi, e.lo - 1u);
      }
    }
  }
  uint32_t id = dead_;
  if (!frames.empty()) {
    // Runs of bytes (of this set or another) whose edges lead to the same frames lead
    // to the same set: a trie of names has a run per child letter, and all the other
    // letters of every node leave the trie for the same place.
    std::sort(frames.begin(), frames.end());
    frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
    std::string k(reinterpret_cast<const char*>(frames.data()), frames.size() * sizeof(uint32_t));
    const auto [it, added] = closed_ids_.try_emplace(std::move(k), 0);
    if (added) {
      StackSet out;
      stepper_.close(pool_, frames, out);
      it->second = intern(std::move(out));
    }
    id = it->second;
  }
  std::fill(next_[set].begin() + lo, next_[set].begin() + hi + 1, id);
  return next_[set][byte];
}

uint32_t SetAutomaton::deepest(uint32_t set) {
  uint32_t& d = info_[set].deepest;
  if (d == kUnknown) {
    d = 0;
    for (uint32_t f : sets_[set]) {
      uint32_t frames = 0;
      for (; f != kEmptyStack; f = pool_.parent(f)) ++frames;
      d = std::max(d, frames);
    }
  }
  return d;
}

std::optional<SafeLabelMemo::Proof> SafeLabelMemo::find(const std::string& spelled_set) const {
  std::lock_guard lock(mutex_);
  const auto it = proofs_.find(spelled_set);
  if (it == proofs_.end()) return std::nullopt;
  return it->second;
}

void SafeLabelMemo::add(std::vector<std::pair<std::string, Proof>> proofs) {
  std::lock_guard lock(mutex_);
  for (auto& [key, proof] : proofs) {
    const size_t cost = key.size() + sizeof(Proof) + 64;  // 64: the map's own share
    if (bytes_ + cost > kBudgetBytes) {
      proofs_.clear();
      bytes_ = 0;
    }
    const auto [it, added] = proofs_.try_emplace(std::move(key), proof);
    if (added) {
      bytes_ += cost;
    } else if (stronger(proof.starts, proof.dies_after, it->second)) {
      it->second = proof;
    }
  }
  size_.store(proofs_.size(), std::memory_order_relaxed);
}

SafeLabels SetAutomaton::safe_labels(uint32_t set, uint8_t position) {
  if (known(set, position) == nullptr) {
    if (info_[set].bytes_taken < kMinSearchBytes) {
      prove(set, position, {}, kAnyStarts, false);
    } else {
      find_safe_labels(set, position, true);
    }
  }
  const Known& k = safe_of_[set][position];
  return {&safe_[k.labels], k.starts, k.dies_after};
}

std::optional<SafeLabels> SetAutomaton::counted_labels(uint32_t set, uint8_t position) {
  if (known(set, position) == nullptr) {
    if (info_[set].bytes_taken < kMinSearchBytes) return std::nullopt;
    find_safe_labels(set, position, false);
  }
  const Known* k = known(set, position);
  if (k == nullptr || !k->dies_after) return std::nullopt;
  return SafeLabels{&safe_[k->labels], k->starts, k->dies_after};
}

const SetAutomaton::Known* SetAutomaton::known(uint32_t set, uint8_t position) {
  Known& k = safe_of_[set][position];
  if (k.labels == kUnknown && memo_ != nullptr && !k.memo_checked && !memo_->empty()) {
    k.memo_checked = true;
    if (const std::optional<SafeLabelMemo::Proof> p = memo_->find(spelled(set, position))) {
      k = {static_cast<uint32_t>(safe_.size()), p->starts, p->dies_after, true};
      safe_.push_back(p->labels);
    }
  }
  return k.labels == kUnknown ? nullptr : &k;
}

void SetAutomaton::prove(uint32_t set, uint8_t position, const LabelSet& labels, uint32_t starts, bool dies_after) {
  safe_of_[set][position] = {static_cast<uint32_t>(safe_.size()), starts, dies_after, true};
  safe_.push_back(labels);
}

std::string SetAutomaton::spelled(uint32_t set, uint8_t position) const {
  // No node has this id (kMaxGrammarNodes), and kContextNode ends the other stacks.
  constexpr uint32_t kBottom = kContextNode - 1;
  std::vector<std::string> stacks;
  for (uint32_t f : sets_[set]) {
    std::string& out = stacks.emplace_back();
    for (;; f = pool_.parent(f)) {
      const uint32_t node = f == kEmptyStack ? kBottom : pool_.node(f);
      out.append(reinterpret_cast<const char*>(&node), sizeof node);
      if (node == kBottom || node == kContextNode) break;
    }
  }
  std::sort(stacks.begin(), stacks.end());  // frame ids, and so the set's order, differ between pools
  std::string key(1, static_cast<char>(position));
  for (const std::string& s : stacks) key += s;
  return key;
}

bool SetAutomaton::first_visit(uint32_t set, uint8_t position, uint32_t level, bool& looped) {
  const size_t at = size_t{set} * kUtf8Positions + position;
  if (seen_round_[at] == round_) {
    looped = looped || seen_level_[at] != level;
    return false;
  }
  seen_round_[at] = round_;
  seen_level_[at] = level;
  return true;
}

// Explores the (stack set, UTF-8 position) pairs reachable with the allowed labels, level
// by level: a level holds the pairs reached with the same number of character starts.
// When a byte kills every stack somewhere, the blame goes to the byte's label if it is
// not fine from the start, else to the latest label on the path after which, taken from
// the start, the byte dies too: in a string body 'a' is fine, and the quote that ended
// the string earlier on the path is what to drop. When counting, one exception: when
// every character start from every pair of a level dies (and nothing else does), that
// level is where the allowed strings end (a maxLength reached), not a label's fault.
// Blamed labels are dropped and the search runs again until nothing is blamed.
//
// A pair already proven with all the allowed labels (by an earlier search, maybe of
// another walk) is not explored: its proof is combined with what the search finds. The
// result holds for every pair of the final search too, with the levels already used up
// taken off, so those pairs are proven without a search of their own.
void SetAutomaton::find_safe_labels(uint32_t start, uint8_t start_position, bool keep_uncounted) {
  struct State {
    uint32_t set;
    uint8_t position;
    uint8_t byte;     // taken from the parent
    uint16_t label;   // of that byte
    uint32_t parent;
    uint32_t level;   // character starts on the path
  };
  LabelSet allowed = LabelSet::all();
  std::vector<State> states;
  // The label to blame for `byte` dying after state k. `by_length` is set when nothing
  // but the path's length explains it: the byte is fine from the start and after every
  // single label of the path. (With one character left, a character and the quote that
  // ends a string look alike here: the proof is not found, and the walk there is short.)
  auto culprit = [&](size_t k, uint8_t byte, uint16_t label, bool& by_length) {
    by_length = false;
    if (k == 0 || utf8_step(start_position, byte).label != label || !nonempty(next(start, byte))) return label;
    for (size_t j = k; j != 0; j = states[j].parent) {
      if (!nonempty(next(next(start, states[j].byte), byte))) return states[j].label;
    }
    by_length = true;
    return label;
  };
  LabelSet blamed;
  size_t flat_left = kMaxFlatStates;  // pairs the rounds may still explore while flat
  // The state one byte from the start on the path to state k (k > 0).
  auto branch_of = [&](size_t k) {
    while (states[k].parent != 0) k = states[k].parent;
    return k;
  };
  // Past a budget the path's first branch is blamed: every label that leads from the
  // start to the same pair as its first byte. The lead bytes of all two-byte characters
  // reach one pair, and dropping one of them alone would leave the branch as it was.
  auto blame_branch = [&](uint8_t first) {
    const uint32_t to = next(start, first);
    const uint8_t after = utf8_step(start_position, first).after;
    for (unsigned b = 0; b < 256; ++b) {
      const Utf8Step step = utf8_step(start_position, static_cast<uint8_t>(b));
      if (step.after == after && next(start, static_cast<uint8_t>(b)) == to) blamed.add(step.label);
    }
  };
  auto path_blamed = [&](size_t k) {
    for (; k != 0; k = states[k].parent) {
      if (blamed.contains(states[k].label)) return true;
    }
    return false;
  };
  // What one round proved (meaningful when nothing was blamed and it did not end as a
  // chain too long for the uncounted search).
  struct Proven {
    uint64_t starts;  // kAnyStarts: any
    bool dies_after;
    bool long_chain;
  };
  // One round: explores from the start with `allowed`, blaming labels as it goes.
  auto explore = [&](bool counting) -> Proven {
    blamed = {};
    ++round_;
    bool looped = false;      // a pair reached at two levels: its strings do not all die at one
    bool exited_any = false;  // a reached set left the key's frames: deaths there are not rejections
    bool capped = false;      // starts beyond longest_token_ were not explored
    bool chain = true;        // one pair at a character start per level, no loop
    bool flat = true;         // no stack deeper than the start's deepest one
    // Pairs proven before: every string through one at level c survives c + starts
    // starts; the least and the most of those, and whether all of them then die.
    bool cut_any = false, cuts_die = true;
    uint64_t cut_least = kAnyStarts, cut_most = 0;
    LabelSet length_deaths, mixed_deaths;  // labels that died by length: on this level, before
    states.assign(1, {start, start_position, 0, 0, 0, 0});
    first_visit(start, start_position, 0, looped);
    std::vector<uint32_t> level_states{0}, next_level;
    uint32_t level = 0;
    for (; !level_states.empty(); ++level) {
      const size_t level_begin = states.size();
      bool next_start = false;  // the next level has its pair at a character start
      bool start_died = false, start_lived = false;
      for (size_t i = 0; i < level_states.size(); ++i) {  // grows: bytes inside a character stay on the level
        const uint32_t k = level_states[i];
        const State from = states[k];
        bool doomed = path_blamed(k);  // exploring on cannot save the round
        // Once misfits are not allowed, only the bytes that fit at the position matter.
        for (const ByteRange range : allowed.contains(kMisfitLabel) ? kAllBytes : fitting_bytes(from.position)) {
          for (unsigned b = range.lo; b <= range.hi && !doomed; ++b) {
            const auto byte = static_cast<uint8_t>(b);
            const Utf8Step step = utf8_step(from.position, byte);
            // A label blamed in this round is dropped for the next one: its bytes cannot change that.
            if (!allowed.contains(step.label) || blamed.contains(step.label)) continue;
            const bool starts = starts_char(step.label);
            if (starts && level == longest_token_) {
              capped = true;  // no token starts more characters
              continue;
            }
            const uint32_t to = next(from.set, byte);
            if (!nonempty(to)) {
              bool by_length = false;
              const uint16_t blame = culprit(k, byte, step.label, by_length);
              if (starts && by_length) {
                start_died = true;  // perhaps where the allowed strings end
                length_deaths.add(blame);
              } else if (!blamed.contains(blame)) {
                blamed.add(blame);
                doomed = path_blamed(k);
              }
              continue;
            }
            start_lived = start_lived || starts;
            exited_any = exited_any || exited(to);
            const uint32_t to_level = level + (starts ? 1 : 0);
            const bool new_start = starts && step.after == kCharStart;
            if (!first_visit(to, step.after, to_level, looped)) continue;
            const Known* proof = known(to, step.after);
            const uint64_t bound = proof == nullptr ? 0
                                   : proof->starts == kAnyStarts ? kAnyStarts
                                                                 : uint64_t{to_level} + proof->starts;
            // A proof that stops short of every token without saying what comes next
            // (a search that reached the longest token) is explored past instead.
            if (!counting && proof != nullptr && proof->dies_after && safe_[proof->labels].includes(allowed) &&
                blamed.empty()) {
              return {0, false, true};  // a bounded repeat proven ahead: count
            }
            if (proof != nullptr && safe_[proof->labels].includes(allowed) &&
                (bound >= longest_token_ || (counting && proof->dies_after))) {
              cut_any = true;
              cuts_die = cuts_die && proof->dies_after;
              cut_least = std::min(cut_least, bound);
              cut_most = std::max(cut_most, bound);
              continue;
            }
            chain = chain && !(new_start && next_start);
            if (counting && new_start && next_start) {
              blamed.add(step.label);  // a branch off the chain: the byte that leads there goes
              doomed = path_blamed(k);
            } else if (!counting && states.size() >= kMaxForeverStates && chain && !looped && blamed.empty()) {
              return {0, false, true};
            } else if (counting ? states.size() - level_begin >= kMaxLevelStates
                                : states.size() >= (flat ? std::max(flat_left, kMaxForeverStates) : kMaxForeverStates)) {
              blame_branch(k == 0 ? byte : states[branch_of(k)].byte);
              doomed = path_blamed(k);
            } else {
              next_start = next_start || new_start;
              flat = flat && deepest(to) <= deepest(start);
              states.push_back({to, step.after, byte, step.label, k, to_level});
              (starts ? next_level : level_states).push_back(static_cast<uint32_t>(states.size() - 1));
            }
          }
        }
      }
      // A round that blamed something will be run again: the levels after this one would
      // mostly be explored in vain.
      if (!blamed.empty()) break;
      if (counting && start_died && !start_lived && mixed_deaths.empty()) {
        // Every explored string ends at this level's next start; so must the others.
        if (!cut_any || cut_most <= level) {
          const bool all_end_here = !cut_any || (cuts_die && cut_least == level);
          return {std::min<uint64_t>(level, cut_least), all_end_here && !looped && !exited_any, false};
        }
      }
      mixed_deaths |= length_deaths;  // others outlive them: not where the strings end
      length_deaths = {};
      level_states.swap(next_level);
      next_level.clear();
    }
    // With nothing else to blame, labels that died by length go (when counting, those on
    // levels others outlived), unless the uncounted search met a chain: then it counts.
    if (blamed.empty() && !mixed_deaths.empty()) {
      if (!counting && chain && !looped) return {0, false, true};
      blamed = mixed_deaths;
    }
    const uint64_t explored = capped ? longest_token_ : kAnyStarts;
    if (!cut_any) return {explored, false, false};
    // Every explored path ended at a proven pair (no loop, no cap, no death), so the
    // strings all end where those pairs' strings do, if that is one level.
    const bool all_end_together =
        cuts_die && cut_least == cut_most && !capped && !looped && !exited_any && level <= cut_least + 1;
    return {std::min(explored, cut_least), all_end_together, false};
  };
  Proven proven{kAnyStarts, false, false};
  bool counting = false;
  for (int round = 0; round < kMaxSafeRounds; ++round) {
    proven = explore(counting);
    flat_left -= std::min(flat_left, states.size());
    if (proven.long_chain) {
      counting = true;  // labels blamed so far stay blamed: they died or branched
      --round;
      continue;
    }
    if (blamed.empty()) break;
    allowed = allowed.without(blamed);
    if (round + 1 == kMaxSafeRounds) {
      allowed = {};
      states.resize(1);
      proven = {kAnyStarts, false, false};
    }
  }
  if (!counting && !keep_uncounted) return;
  std::vector<std::pair<std::string, SafeLabelMemo::Proof>> proofs;
  for (const State& s : states) {
    if (s.level > proven.starts) continue;
    const uint32_t starts = proven.starts == kAnyStarts ? kAnyStarts : static_cast<uint32_t>(proven.starts - s.level);
    // An earlier proof of the pair (from the memo) may reach fewer starts: a search that
    // stopped at the longest token, from further back.
    if (const Known* old = known(s.set, s.position); old != nullptr && !stronger(starts, proven.dies_after, *old)) continue;
    prove(s.set, s.position, allowed, starts, proven.dies_after);
    if (memo_ != nullptr && counting) {
      proofs.emplace_back(spelled(s.set, s.position), SafeLabelMemo::Proof{allowed, starts, proven.dies_after});
    }
  }
  if (!proofs.empty()) memo_->add(std::move(proofs));
}

}  // namespace slm::grammar
