// Token masks per stack top, computed once and shared by every matcher of the same
// grammar and vocabulary.
//
// A key is the top frames of a stack: at least kKeyDepth, then more while the deepest
// one is a node where its rule may end (such frames are popped without consuming input,
// so stopping there would make most tokens context-dependent), up to kMaxKeyDepth, or
// the whole stack when shorter. Its nodes are the ones standing for all copies of a long
// bounded repeat that no token can tell apart (Grammar::equivalent_node), so a string
// with maxLength 1000 needs a few dozen keys, not a thousand. For the key, each token is
// classified by walking the vocabulary trie from those frames alone, with a marker
// frame standing for the unknown rest of the stack:
//  * accepted: some path takes all its bytes (valid whatever lies below),
//  * rejected: every path dies before finishing the known frames,
//  * context-dependent: not accepted, but some path finishes the known frames with bytes
//    left; only these are checked against the real stack when a mask is filled.
// The walk advances sets of stacks through a lazily built table of transitions, so a
// trie node costs one table look-up once a set has been seen, and skips whole subtrees
// whose bytes the current set is proven to take in any order (a string body takes
// nearly every token without looking; see byte_labels.h), or for as many characters as
// the subtree's tokens hold (a string with maxLength: see SafeLabels, whose proofs the
// walks of one cache share). Deeper keys usually start from their shorter prefix's
// entry instead (see kDeriveMaxTokens), so a rule met in many contexts walks the trie
// once; and a key whose part of the automaton another grammar over the same vocabulary
// has walked takes that grammar's entry (see kMinSharedBytes).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/mask_entry.h"
#include "grammar/set_automaton.h"
#include "grammar/vocabulary.h"

namespace slm::grammar {

inline constexpr size_t kKeyDepth = 3;
inline constexpr size_t kMaxKeyDepth = 12;
// A key's entry is derived from the entry of its one-frame-shorter prefix (re-running
// only the prefix's context-dependent tokens) when those are at most this many; else
// the vocabulary trie is walked again.
inline constexpr size_t kDeriveMaxTokens = 32768;
// Entries beyond this many bytes make the cache start over (correct, only slower).
inline constexpr size_t kMaskCacheBudgetBytes = size_t{512} << 20;
// Entries are shared between grammars (see mask_entry.h) only for keys whose walk is
// expensive and whose part of the automaton is small enough to spell out cheaply: the
// top node's byte edges cover at least kMinSharedBytes bytes (from the others a walk
// dies within a few bytes: 11-25 µs on average over the bench schemas, against 110-260
// µs), and the part takes at most kMaxSharedWords 32-bit words to spell. What recurs
// across schemas is of that kind: a string body, the undeclared keys next to a few names.
inline constexpr uint32_t kMinSharedBytes = 32;
inline constexpr size_t kMaxSharedWords = 1024;

struct StackKey {
  std::array<uint32_t, kMaxKeyDepth> nodes{};  // top first
  uint32_t depth = 0;                       // frames used
  bool whole_stack = false;                 // the stack has no frames below these
  bool operator==(const StackKey&) const = default;
};

struct StackKeyHash {
  size_t operator()(const StackKey& k) const {
    uint64_t h = k.depth * 2 + (k.whole_stack ? 1 : 0);
    for (const uint32_t n : k.nodes) h = (h ^ n) * 0x100000001B3ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

class MaskCache {
 public:
  // `grammar` and `vocab` must be the ones the cache was made for (see shared_mask_cache).
  std::shared_ptr<const MaskEntry> get(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key);
  size_t entry_count() const;
  // Fills the entries of every one-frame key (each automaton node that reads a byte).
  // Deeper keys are then mostly derived cheaply, so calling this once after compiling
  // (e.g. when a compiled grammar enters a cache) takes the full-vocabulary walks off
  // the decoding path. Returns the number of entries filled.
  size_t precompute(const Grammar& grammar, const Vocabulary& vocab);

 private:
  // `only_to_derive`: the caller only derives from the entry, so a too-broad placeholder
  // will do.
  std::shared_ptr<const MaskEntry> find_or_make(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key,
                                                bool only_to_derive);

  mutable std::mutex mutex_;
  std::unordered_map<StackKey, std::shared_ptr<const MaskEntry>, StackKeyHash> entries_;
  size_t bytes_ = 0;
  SafeLabelMemo safe_labels_;  // shared by the trie walks of all keys
};

// The cache shared by all matchers of this grammar and vocabulary. It is kept by the
// Grammar, so it lives as long as the (cached) compiled grammar does.
std::shared_ptr<MaskCache> shared_mask_cache(const Grammar& grammar, const std::shared_ptr<const Vocabulary>& vocab);

// Classifies every token for `key` (see above). Exposed for tests and benchmarks.
MaskEntry compute_mask_entry(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key);

}  // namespace slm::grammar
