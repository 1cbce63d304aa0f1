#include "grammar/matcher.h"

#include <algorithm>
#include <bitset>
#include <unordered_set>

#include "grammar/finish_distance.h"
#include "grammar/set_automaton.h"
#include "slm/error.h"

namespace slm::grammar {

namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void set_bit(std::span<uint64_t> bits, TokenId t) { bits[static_cast<size_t>(t) >> 6] |= uint64_t{1} << (t & 63); }
bool has_bit(std::span<const uint64_t> bits, TokenId t) {
  return (bits[static_cast<size_t>(t) >> 6] >> (t & 63)) & 1u;
}

// Drops the frames created since construction, whatever way the scope is left, unless
// keep() was called.
class PoolMark {
 public:
  explicit PoolMark(StackPool& pool) : pool_(pool), size_(pool.size()) {}
  ~PoolMark() {
    if (!kept_) pool_.truncate(size_);
  }
  void keep() { kept_ = true; }
  PoolMark(const PoolMark&) = delete;
  PoolMark& operator=(const PoolMark&) = delete;

 private:
  StackPool& pool_;
  size_t size_;
  bool kept_ = false;
};

}  // namespace

Matcher::Matcher(std::shared_ptr<const Grammar> g, std::shared_ptr<const Vocabulary> v)
    : grammar_(std::move(g)), vocab_(std::move(v)), cache_(shared_mask_cache(*grammar_, vocab_)),
      stepper_(*grammar_) {
  StackSet start = stepper_.initial(pool_);
  history_.push_back({std::move(start), pool_.size(), false});
}

bool Matcher::is_complete() const { return !stacks().empty() && stacks().front() == kEmptyStack; }

bool Matcher::accept_bytes(std::string_view bytes) {
  if (is_terminated()) return false;
  PoolMark mark(pool_);
  StackSet cur = stacks();
  StackSet next;
  for (const uint8_t b : as_bytes(bytes)) {
    stepper_.step(pool_, cur, b, next);
    if (next.empty()) return false;
    cur.swap(next);
  }
  history_.push_back({std::move(cur), pool_.size(), false});
  mark.keep();
  return true;
}

bool Matcher::can_accept_bytes(std::string_view bytes) const {
  if (is_terminated()) return false;
  PoolMark mark(pool_);
  for (const uint32_t f : stacks()) {
    if (stepper_.accepts(pool_, f, as_bytes(bytes))) return true;
  }
  return false;
}

bool Matcher::accept_token(TokenId id) {
  if (id < 0 || static_cast<size_t>(id) >= vocab_->size() || is_terminated()) return false;
  if (vocab_->is_eog(id)) {
    if (!is_complete()) return false;
    history_.push_back({stacks(), pool_.size(), true});
    return true;
  }
  const std::string_view bytes = vocab_->bytes(id);
  return !bytes.empty() && accept_bytes(bytes);
}

StackKey Matcher::key_of(uint32_t frame) const {
  StackKey key;
  // Nodes alike for as many characters as any token starts share entries.
  const uint32_t horizon = vocab_->trie().longest_starts;
  while (frame != kEmptyStack && key.depth < kMaxKeyDepth &&
         (key.depth < kKeyDepth || grammar_->is_final(key.nodes[key.depth - 1]))) {
    key.nodes[key.depth++] = grammar_->equivalent_node(pool_.node(frame), horizon);
    frame = pool_.parent(frame);
  }
  key.whole_stack = frame == kEmptyStack;
  return key;
}

void Matcher::fill_mask(std::span<uint64_t> bits) const {
  const size_t words = (vocab_->size() + 63) / 64;
  if (bits.size() < words) {
    throw Error("grammar mask needs " + std::to_string(words) + " 64-bit words, got " + std::to_string(bits.size()));
  }
  const auto used_end = bits.begin() + static_cast<std::ptrdiff_t>(words);
  std::fill(used_end, bits.end(), 0);
  if (is_terminated()) {
    std::fill(bits.begin(), used_end, 0);
    return;
  }
  PoolMark mark(pool_);
  std::unordered_set<StackKey, StackKeyHash> done;
  bool filled = false;  // the first entry is copied in rather than ORed into a cleared mask
  for (const uint32_t f : stacks()) {
    if (f == kEmptyStack) continue;
    const StackKey key = key_of(f);
    const std::shared_ptr<const MaskEntry> entry = cache_->get(*grammar_, *vocab_, key);
    if (done.insert(key).second) {
      if (filled) {
        for (size_t w = 0; w < words; ++w) bits[w] |= entry->accepted[w];
      } else {
        std::copy_n(entry->accepted.begin(), words, bits.begin());
        filled = true;
      }
    }
    if (entry->context_dependent.empty()) continue;
    // The tokens share prefixes and stack sets, so their steps go through one table of
    // transitions from this stack instead of a fresh step per byte.
    SetAutomaton sets(*grammar_, pool_);
    const uint32_t start = sets.intern({f});
    for (const TokenId t : entry->context_dependent) {
      if (has_bit(bits, t)) continue;
      uint32_t s = start;
      for (const uint8_t b : as_bytes(vocab_->bytes(t))) {
        s = sets.next(s, b);
        if (!sets.nonempty(s)) break;
      }
      if (sets.nonempty(s)) set_bit(bits, t);
    }
  }
  if (!filled) std::fill(bits.begin(), used_end, 0);
  if (is_complete()) {
    for (const TokenId t : vocab_->eog_tokens()) set_bit(bits, t);
  }
}

void Matcher::rollback(size_t n_tokens) {
  if (n_tokens >= history_.size()) {
    throw Error("grammar rollback of " + std::to_string(n_tokens) + " tokens, but only " +
                std::to_string(history_.size() - 1) + " were accepted");
  }
  history_.resize(history_.size() - n_tokens);
  pool_.truncate(history_.back().pool_size);
}

void Matcher::reset() { rollback(history_.size() - 1); }

uint32_t Matcher::bytes_to_complete() const {
  if (finish_distances_.empty()) finish_distances_ = finish_distances(*grammar_);
  uint64_t best = kCannotFinish;
  for (const uint32_t stack : stacks()) {
    uint64_t sum = 0;
    for (uint32_t frame = stack; frame != kEmptyStack && sum < best; frame = pool_.parent(frame)) {
      sum += finish_distances_[pool_.node(frame)];
    }
    best = std::min(best, sum);
  }
  return static_cast<uint32_t>(std::min<uint64_t>(best, kCannotFinish));
}

std::string Matcher::forced_bytes() const {
  if (is_terminated()) return {};
  PoolMark mark(pool_);
  // Bounded: a grammar can force an arbitrarily long literal, but jump-forward gains
  // nothing from more than this per call.
  constexpr size_t kMaxForced = 4096;
  std::string out;
  StackSet cur = stacks();
  StackSet next;
  while (out.size() < kMaxForced && !cur.empty() && cur.front() != kEmptyStack) {
    std::bitset<256> possible;
    for (const uint32_t f : cur) {
      for (const ByteEdge& e : grammar_->byte_edges(pool_.node(f))) {
        for (unsigned b = e.lo; b <= e.hi; ++b) possible.set(b);
      }
    }
    if (possible.count() != 1) break;
    unsigned b = 0;
    while (!possible.test(b)) ++b;
    stepper_.step(pool_, cur, static_cast<uint8_t>(b), next);
    out += static_cast<char>(b);
    cur.swap(next);
  }
  return out;
}

}  // namespace slm::grammar
