#include "grammar/stack_pool.h"

#include <algorithm>
#include <string>

#include "slm/error.h"

namespace slm::grammar {

StackPool::StackPool() { frames_.push_back({kContextNode, kEmptyStack}); }  // frame 0: the empty stack

uint32_t StackPool::push(uint32_t node, uint32_t parent) {
  const auto [it, added] = index_.try_emplace(key(node, parent), static_cast<uint32_t>(frames_.size()));
  if (added) frames_.push_back({node, parent});
  return it->second;
}

void StackPool::truncate(size_t n) {
  while (frames_.size() > n) {
    index_.erase(key(frames_.back().node, frames_.back().parent));
    frames_.pop_back();
  }
}

void Stepper::next_epoch() {
  if (++epoch_ == 0) {  // wrapped: old marks could look current
    std::fill(seen_.begin(), seen_.end(), 0);
    epoch_ = 1;
  }
}

bool Stepper::first_visit(const StackPool& pool, uint32_t frame) {
  if (seen_.size() < pool.size()) seen_.resize(pool.size() + pool.size() / 2 + 64, 0);
  if (seen_[frame] == epoch_) return false;
  seen_[frame] = epoch_;
  return true;
}

void Stepper::expand(StackPool& pool, StackSet& out) {
  while (!work_.empty()) {
    const uint32_t f = work_.back();
    work_.pop_back();
    if (!first_visit(pool, f)) continue;
    if (f == kEmptyStack) {
      out.push_back(f);
      continue;
    }
    const uint32_t n = pool.node(f);
    if (n == kContextNode) {
      out.push_back(f);
      continue;
    }
    if (!g_->byte_edges(n).empty()) out.push_back(f);
    const uint32_t parent = pool.parent(f);
    for (const RuleCall& c : g_->calls(n)) {
      work_.push_back(pool.push(c.start, c.ret == kNoNode ? parent : pool.push(c.ret, parent)));
    }
    if (g_->is_final(n)) work_.push_back(parent);
  }
  // Every frame is visited once, so `out` has no duplicates; only the order is fixed here.
  if (out.size() > kMaxStacks) {
    throw Error("grammar too ambiguous: more than " + std::to_string(kMaxStacks) +
                " parser stacks at once (a rule that can split the same text in many ways)");
  }
  std::sort(out.begin(), out.end());
}

StackSet Stepper::initial(StackPool& pool) {
  next_epoch();
  work_.assign(1, pool.push(g_->root_start(), kEmptyStack));
  StackSet out;
  expand(pool, out);
  return out;
}

void Stepper::step(StackPool& pool, const StackSet& in, uint8_t byte, StackSet& out) {
  next_epoch();
  out.clear();
  work_.clear();
  for (const uint32_t f : in) {
    if (f == kEmptyStack) continue;
    const uint32_t n = pool.node(f);
    if (n == kContextNode) continue;
    for (const ByteEdge& e : g_->byte_edges(n)) {
      if (e.lo <= byte && byte <= e.hi) work_.push_back(pool.push(e.to, pool.parent(f)));
    }
  }
  expand(pool, out);
}

void Stepper::close(StackPool& pool, std::span<const uint32_t> frames, StackSet& out) {
  next_epoch();
  out.clear();
  work_.assign(frames.begin(), frames.end());
  expand(pool, out);
}

bool Stepper::accepts(StackPool& pool, uint32_t frame, std::span<const uint8_t> bytes) {
  scratch_a_.assign(1, frame);
  for (const uint8_t b : bytes) {
    step(pool, scratch_a_, b, scratch_b_);
    if (scratch_b_.empty()) return false;
    scratch_a_.swap(scratch_b_);
  }
  return true;
}

}  // namespace slm::grammar
