// A mask-cache entry (see mask_cache.h), and the entries every grammar over one
// vocabulary shares: an entry depends only on the part of the automaton its key's
// frames can reach, so two grammars whose parts are alike (a JSON string body, the
// undeclared-key rules every object schema has) classify the vocabulary once between
// them. The Vocabulary owns the store, so it lives exactly as long as the bitsets mean
// something.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "slm/tokenizer.h"

namespace slm::grammar {

struct MaskEntry {
  std::vector<uint64_t> accepted;        // bitset over the vocabulary
  std::vector<TokenId> context_dependent;
  // A placeholder for a key only ever derived from: its walk stopped once more than
  // kDeriveMaxTokens tokens depended on context, as deriving from it would not pay.
  bool too_broad = false;
};

// Entries keyed by the content of the automaton part they were computed from (see
// content_of in mask_cache.cpp). Thread-safe.
class SharedMaskEntries {
 public:
  // The entry for `content`, if any; a too-broad placeholder only when `only_to_derive`.
  std::shared_ptr<const MaskEntry> find(const std::string& content, bool only_to_derive) const;
  // Keeps `entry` unless a full entry for `content` is already there.
  void add(std::string content, std::shared_ptr<const MaskEntry> entry);

 private:
  // Past this many bytes the store starts over (correct, only slower): the parts that
  // recur across grammars are few, and are computed again soon.
  static constexpr size_t kBudgetBytes = size_t{64} << 20;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const MaskEntry>> entries_;
  size_t bytes_ = 0;
};

}  // namespace slm::grammar
