// Stack sets met while classifying tokens from one start (a mask-cache key, or one stack
// whose context-dependent tokens a mask checks), numbered, with their byte transitions
// filled in as they are first needed: a trie walk then costs one table look-up per node
// once its sets have been seen.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "grammar/byte_labels.h"
#include "grammar/stack_pool.h"

namespace slm::grammar {

// What safe_labels proves about a (set, UTF-8 position) pair: every byte string made
// only of `labels` with at most `starts` character starts (see starts_char) is taken
// without ever leaving no stack (kAnyStarts: any number). When `dies_after`,
// every such string with one start more dies at that start, and none of them ever
// reached a set that left the key's frames, so tokens made of these labels that start
// more characters are rejected whatever the context: a bounded repeat of a character
// class (a string with maxLength) decides its tokens by their length.
inline constexpr uint32_t kAnyStarts = UINT32_MAX;
struct SafeLabels {
  const LabelSet* labels;  // valid until the automaton is used again
  uint32_t starts;
  bool dies_after;
};

// What counting searches of safe_labels proved, kept across the walks of one grammar and
// vocabulary (a MaskCache owns one) and keyed by the stacks of a set spelled as
// automaton nodes, so a walk that meets a set an earlier search went through needs no
// search of its own: inside a string with maxLength, each new mask starts one character
// further along the levels the first search proved. (Other proofs are cheap to find
// again; a grammar without bounded repeats leaves the memo empty and pays nothing.)
// Thread-safe.
class SafeLabelMemo {
 public:
  struct Proof {
    LabelSet labels;
    uint32_t starts;
    bool dies_after;
  };
  bool empty() const { return size_.load(std::memory_order_relaxed) == 0; }
  std::optional<Proof> find(const std::string& spelled_set) const;
  void add(std::vector<std::pair<std::string, Proof>> proofs);

 private:
  // Past this many bytes of proofs the memo starts over (correct, only slower).
  static constexpr size_t kBudgetBytes = size_t{16} << 20;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Proof> proofs_;
  std::atomic<size_t> size_ = 0;  // of proofs_, readable without the lock
  size_t bytes_ = 0;
};

class SetAutomaton {
 public:
  // `longest_token`: the most character starts of any token that will be classified;
  // strings with more need no proof. `memo`: proofs shared with other walks, if any.
  SetAutomaton(const Grammar& g, StackPool& pool, uint32_t longest_token = kAnyStarts, SafeLabelMemo* memo = nullptr)
      : grammar_(g), pool_(pool), stepper_(g), longest_token_(longest_token), memo_(memo), dead_(intern({})) {}

  uint32_t intern(StackSet s);
  // Inline for the common case (walks and searches look up each transition many times);
  // the first look-up of a run of bytes steps the stacks.
  uint32_t next(uint32_t set, uint8_t byte) {
    const std::vector<uint32_t>& row = next_[set];
    return !row.empty() && row[byte] != kUnknown ? row[byte] : step(set, byte);
  }

  bool live(uint32_t set) const { return info_[set].live; }        // some stack can take a byte
  bool exited(uint32_t set) const { return info_[set].exited; }    // some stack left the key's frames
  bool nonempty(uint32_t set) const { return info_[set].nonempty; }

  // Labels that can be taken from `set` at UTF-8 position `position` in any order,
  // for as many character starts as the result says (see SafeLabels). Not the largest
  // such set (there is no unique one); found greedily, so that a string body keeps its
  // characters and loses the bytes that end or escape it.
  SafeLabels safe_labels(uint32_t set, uint8_t position);
  // The proof for the pair when it bounds strings by their characters and says they then
  // die (dies_after), else nothing; other proofs found on the way are not kept (the
  // pairs one byte further search better from themselves).
  std::optional<SafeLabels> counted_labels(uint32_t set, uint8_t position);
  bool knows_safe_labels(uint32_t set, uint8_t position) { return known(set, position) != nullptr; }

 private:
  static constexpr uint32_t kUnknown = UINT32_MAX;
  struct Info {
    bool live = false;
    bool exited = false;
    bool nonempty = false;
    int bytes_taken = 0;  // distinct bytes some stack has an edge for
    uint32_t deepest = kUnknown;  // frames of the deepest stack, once asked for
  };
  struct Known {
    uint32_t labels = kUnknown;  // index into safe_
    uint32_t starts = 0;
    bool dies_after = false;
    bool memo_checked = false;
  };
  // Fills the transitions of `set` on the run of bytes around `byte` that lead to the
  // same set, and returns where `byte` leads.
  uint32_t step(uint32_t set, uint8_t byte);
  // The proof for the pair, from this automaton or the memo; null when there is none yet.
  const Known* known(uint32_t set, uint8_t position);
  void prove(uint32_t set, uint8_t position, const LabelSet& labels, uint32_t starts, bool dies_after);
  uint32_t deepest(uint32_t set);
  // The pair as a memo key: the set's stacks as node lists, sorted, then the position.
  std::string spelled(uint32_t set, uint8_t position) const;
  // `keep_uncounted`: keep proofs that do not count characters (else only counting
  // ones are kept).
  void find_safe_labels(uint32_t start, uint8_t start_position, bool keep_uncounted);
  // Marks (set, position) as reached at `level` starts in the current search round;
  // false when it was reached before (then `looped` is set if at another level).
  bool first_visit(uint32_t set, uint8_t position, uint32_t level, bool& looped);

  const Grammar& grammar_;
  StackPool& pool_;
  Stepper stepper_;
  uint32_t longest_token_;
  SafeLabelMemo* memo_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::unordered_map<std::string, uint32_t> closed_ids_;  // the frames bytes lead to -> their set
  StackSet scratch_frames_;
  std::vector<StackSet> sets_;
  std::vector<Info> info_;
  std::vector<std::vector<uint32_t>> next_;
  std::vector<std::array<Known, kUtf8Positions>> safe_of_;
  std::vector<LabelSet> safe_;
  // Per (set, position): the search round that last reached it, and at how many starts.
  std::vector<uint32_t> seen_round_;
  std::vector<uint32_t> seen_level_;
  uint32_t round_ = 0;
  uint32_t dead_;  // the empty set, where bytes nothing takes lead without stepping
};

}  // namespace slm::grammar
