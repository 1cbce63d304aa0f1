// Parser stacks of the byte-level pushdown matcher. A stack is a linked list of frames
// (automaton node, parent frame); frames are hash-consed, so equal stacks are equal ids
// and every stack shares its tail with the stacks it came from. A matcher state is a
// sorted set of stack ids; stepping one byte builds only the few new top frames.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"

namespace slm::grammar {

// The empty stack: the text so far is a complete sentence of the grammar.
inline constexpr uint32_t kEmptyStack = 0;
// Node of a marker frame standing for an unknown rest of the stack (see mask_cache.h):
// a stack whose top is this marker has finished everything the cache key knew about.
inline constexpr uint32_t kContextNode = UINT32_MAX;

using StackSet = std::vector<uint32_t>;  // sorted, unique stack ids

// Highly ambiguous grammars, e.g. root ::= ("x" root*)+, have a number of distinct
// stacks that grows exponentially with the text; past this many a step throws
// slm::Error instead of running out of time and memory.
inline constexpr size_t kMaxStacks = 4096;

class StackPool {
 public:
  StackPool();
  uint32_t push(uint32_t node, uint32_t parent);
  uint32_t node(uint32_t frame) const { return frames_[frame].node; }
  uint32_t parent(uint32_t frame) const { return frames_[frame].parent; }
  size_t size() const { return frames_.size(); }
  // Forgets every frame created after size() was `n` (they must no longer be used).
  void truncate(size_t n);

 private:
  struct Frame {
    uint32_t node;
    uint32_t parent;
  };
  static uint64_t key(uint32_t node, uint32_t parent) { return (uint64_t{node} << 32) | parent; }
  std::vector<Frame> frames_;
  std::unordered_map<uint64_t, uint32_t> index_;
};

// Advances stack sets over one grammar; frames live in the pool passed to each call.
class Stepper {
 public:
  explicit Stepper(const Grammar& grammar) : g_(&grammar) {}

  // The stacks of the start state: the root rule, expanded.
  StackSet initial(StackPool& pool);
  // The stacks after `byte` from `in`; empty when no stack can take it. Throws
  // slm::Error past kMaxStacks.
  void step(StackPool& pool, const StackSet& in, uint8_t byte, StackSet& out);
  // The stacks that `frames` (the frames a byte leads to, before calls and rule ends
  // are followed) stand for. Throws slm::Error past kMaxStacks.
  void close(StackPool& pool, std::span<const uint32_t> frames, StackSet& out);
  // Whether `bytes` can be taken from the single stack `frame`.
  bool accepts(StackPool& pool, uint32_t frame, std::span<const uint8_t> bytes);

 private:
  // Adds to work_ the frame (node, parent) and follows calls and rule ends until every
  // frame reached waits for a byte, is empty, or is a context marker.
  void expand(StackPool& pool, StackSet& out);
  bool first_visit(const StackPool& pool, uint32_t frame);
  void next_epoch();

  const Grammar* g_;
  std::vector<uint32_t> work_;
  std::vector<uint32_t> seen_;
  uint32_t epoch_ = 0;
  StackSet scratch_a_;
  StackSet scratch_b_;
};

}  // namespace slm::grammar
