// Stack sets met while classifying tokens from one start (a mask-cache key, or one stack
// whose context-dependent tokens a mask checks), numbered, with their byte transitions
// filled in as they are first needed: a trie walk then costs one table look-up per node
// once its sets have been seen.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "grammar/byte_labels.h"
#include "grammar/stack_pool.h"

namespace slm::grammar {

class SetAutomaton {
 public:
  SetAutomaton(const Grammar& g, StackPool& pool) : grammar_(g), pool_(pool), stepper_(g), dead_(intern({})) {}

  uint32_t intern(StackSet s);
  uint32_t next(uint32_t set, uint8_t byte);

  bool live(uint32_t set) const { return info_[set].live; }        // some stack can take a byte
  bool exited(uint32_t set) const { return info_[set].exited; }    // some stack left the key's frames
  bool nonempty(uint32_t set) const { return info_[set].nonempty; }

  // Labels that can be taken from `set` at UTF-8 position `position` in any order and
  // number without ever leaving no stack: every byte string made only of them is
  // accepted. Not the largest such set (there is no unique one); found greedily, so that
  // a string body keeps its characters and loses the bytes that end or escape it.
  const LabelSet& safe_labels(uint32_t set, uint8_t position);
  bool knows_safe_labels(uint32_t set, uint8_t position) const { return safe_of_[set][position] != kUnknown; }

 private:
  static constexpr uint32_t kUnknown = UINT32_MAX;
  struct Info {
    bool live = false;
    bool exited = false;
    bool nonempty = false;
    std::array<uint64_t, 4> takes{};  // bytes some stack has an edge for
  };
  void find_safe_labels(uint32_t start, uint8_t start_position);

  const Grammar& grammar_;
  StackPool& pool_;
  Stepper stepper_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<StackSet> sets_;
  std::vector<Info> info_;
  std::vector<std::vector<uint32_t>> next_;
  std::vector<std::array<uint32_t, kUtf8Positions>> safe_of_;  // per set: index into safe_
  std::vector<LabelSet> safe_;
  // Pairs visited by the current round of find_safe_labels: per set, the round that last
  // touched it and a bit per UTF-8 position.
  std::vector<uint32_t> seen_round_;
  std::vector<uint8_t> seen_positions_;
  uint32_t round_ = 0;
  uint32_t dead_;  // the empty set, where bytes nothing takes lead without stepping
};

}  // namespace slm::grammar
