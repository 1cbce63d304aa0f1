#include "grammar/mask_cache.h"

#include <map>
#include <string>

#include "grammar/stack_pool.h"

namespace slm::grammar {

namespace {

// Stack sets met during one trie walk, numbered, with their byte transitions filled in
// as they are first needed.
class SetAutomaton {
 public:
  SetAutomaton(const Grammar& g, StackPool& pool) : pool_(pool), stepper_(g) {}

  uint32_t intern(StackSet s) {
    std::string k(reinterpret_cast<const char*>(s.data()), s.size() * sizeof(uint32_t));
    const auto [it, added] = ids_.try_emplace(std::move(k), static_cast<uint32_t>(sets_.size()));
    if (added) {
      Info info;
      for (const uint32_t f : s) {
        if (f != kEmptyStack && pool_.node(f) == kContextNode) {
          info.exited = true;
        } else if (f != kEmptyStack) {
          info.live = true;
        }
      }
      info.nonempty = !s.empty();
      info_.push_back(info);
      sets_.push_back(std::move(s));
      next_.emplace_back();
    }
    return it->second;
  }

  uint32_t next(uint32_t set, uint8_t byte) {
    if (next_[set].empty()) next_[set].assign(256, kUnknown);
    if (next_[set][byte] == kUnknown) {
      StackSet out;
      stepper_.step(pool_, sets_[set], byte, out);
      const uint32_t id = intern(std::move(out));
      next_[set][byte] = id;
    }
    return next_[set][byte];
  }

  bool live(uint32_t set) const { return info_[set].live; }        // some stack can take a byte
  bool exited(uint32_t set) const { return info_[set].exited; }    // some stack left the key's frames
  bool nonempty(uint32_t set) const { return info_[set].nonempty; }

 private:
  static constexpr uint32_t kUnknown = UINT32_MAX;
  struct Info {
    bool live = false;
    bool exited = false;
    bool nonempty = false;
  };
  StackPool& pool_;
  Stepper stepper_;
  std::map<std::string, uint32_t> ids_;
  std::vector<StackSet> sets_;
  std::vector<Info> info_;
  std::vector<std::vector<uint32_t>> next_;
};


// The key's frames in `pool`, over a context marker unless the key is the whole stack.
uint32_t key_stack(StackPool& pool, const StackKey& key) {
  uint32_t frame = key.whole_stack ? kEmptyStack : pool.push(kContextNode, kEmptyStack);
  for (uint32_t i = key.depth; i-- > 0;) frame = pool.push(key.nodes[i], frame);
  return frame;
}

// The entry for `key` from the entry of its prefix one frame shorter: tokens accepted or
// rejected there are so here too; only the prefix's context-dependent tokens are run
// again, now knowing one more frame.
MaskEntry derive_mask_entry(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key,
                            const MaskEntry& prefix) {
  StackPool pool;
  const uint32_t frame = key_stack(pool, key);
  SetAutomaton sets(grammar, pool);
  const uint32_t start = sets.intern({frame});
  MaskEntry entry;
  entry.accepted = prefix.accepted;
  for (const TokenId t : prefix.context_dependent) {
    const std::string_view bytes = vocab.bytes(t);
    uint32_t s = start;
    bool exited = false;  // some stack left the key's frames with bytes still to take
    size_t taken = 0;
    while (taken < bytes.size() && sets.live(s)) {
      exited = exited || sets.exited(s);
      s = sets.next(s, static_cast<uint8_t>(bytes[taken++]));
    }
    if (taken < bytes.size()) exited = exited || sets.exited(s);
    if (taken == bytes.size() && sets.nonempty(s)) {
      entry.accepted[static_cast<size_t>(t) >> 6] |= uint64_t{1} << (t & 63);
    } else if (exited) {
      entry.context_dependent.push_back(t);
    }
  }
  return entry;
}

}  // namespace

MaskEntry compute_mask_entry(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key) {
  StackPool pool;
  const uint32_t frame = key_stack(pool, key);
  SetAutomaton sets(grammar, pool);

  const TokenTrie& trie = vocab.trie();
  MaskEntry entry;
  entry.accepted.assign((vocab.size() + 63) / 64, 0);
  auto accept = [&](TokenId t) { entry.accepted[static_cast<size_t>(t) >> 6] |= uint64_t{1} << (t & 63); };
  auto tokens_of = [&](uint32_t first_token, uint32_t end_token, auto&& fn) {
    for (uint32_t k = first_token; k < end_token; ++k) fn(trie.sorted_tokens[k]);
  };
  auto defer = [&](TokenId t) { entry.context_dependent.push_back(t); };

  // set_at[d], carry[d]: the stack set after the first d bytes of the current trie path,
  // and whether some stack left the key's frames before byte d.
  std::vector<uint32_t> set_at{sets.intern({frame})};
  std::vector<char> carry{0};
  const size_t n = trie.node_count();
  for (size_t i = 1; i < n;) {
    const uint32_t d = trie.depth[i];
    const uint32_t parent = set_at[d - 1];
    const uint32_t s = sets.next(parent, trie.byte[i]);
    const bool exited_before = carry[d - 1] != 0 || sets.exited(parent);
    const uint32_t here_begin = trie.token_begin[i];
    const uint32_t here_end = trie.token_begin[i + 1];
    if (sets.nonempty(s)) {
      tokens_of(here_begin, here_end, accept);
    } else if (exited_before) {
      tokens_of(here_begin, here_end, defer);
    }
    if (sets.live(s)) {
      if (set_at.size() <= d) {
        set_at.resize(d + 1);
        carry.resize(d + 1);
      }
      set_at[d] = s;
      carry[d] = exited_before ? 1 : 0;
      ++i;
      continue;
    }
    // Nothing can go deeper from here: the longer tokens below only depend on context
    // if a stack already left the key's frames.
    const uint32_t end = trie.subtree_end[i];
    if (exited_before || sets.exited(s)) tokens_of(here_end, trie.token_begin[end], defer);
    i = end;
  }
  return entry;
}

std::shared_ptr<const MaskEntry> MaskCache::get(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  }
  // Computed outside the lock: two threads may both compute a new key, which is harmless.
  std::shared_ptr<const MaskEntry> entry;
  if (key.depth > 1) {
    StackKey prefix = key;
    prefix.nodes[--prefix.depth] = 0;
    prefix.whole_stack = false;
    const std::shared_ptr<const MaskEntry> shorter = get(grammar, vocab, prefix);
    if (shorter->context_dependent.size() <= kDeriveMaxTokens) {
      entry = std::make_shared<const MaskEntry>(derive_mask_entry(grammar, vocab, key, *shorter));
    }
  }
  if (!entry) entry = std::make_shared<const MaskEntry>(compute_mask_entry(grammar, vocab, key));
  const size_t cost = entry->accepted.size() * sizeof(uint64_t) + entry->context_dependent.size() * sizeof(TokenId);
  std::lock_guard lock(mutex_);
  if (bytes_ + cost > kMaskCacheBudgetBytes) {
    entries_.clear();
    bytes_ = 0;
  }
  if (entries_.try_emplace(key, entry).second) bytes_ += cost;
  return entry;
}

size_t MaskCache::precompute(const Grammar& grammar, const Vocabulary& vocab) {
  size_t filled = 0;
  for (uint32_t node = 0; node < grammar.node_count(); ++node) {
    if (grammar.byte_edges(node).empty()) continue;
    StackKey key;
    key.nodes[0] = node;
    key.depth = 1;
    get(grammar, vocab, key);
    ++filled;
  }
  return filled;
}

size_t MaskCache::entry_count() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::shared_ptr<MaskCache> shared_mask_cache(const Grammar& grammar, const std::shared_ptr<const Vocabulary>& vocab) {
  return grammar.mask_cache_for(vocab);
}

}  // namespace slm::grammar
