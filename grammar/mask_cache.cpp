#include "grammar/mask_cache.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "grammar/set_automaton.h"
#include "grammar/stack_pool.h"

namespace slm::grammar {

namespace {

constexpr uint32_t kSearchMinNodes = 1024;

// The key's frames in `pool`, over a context marker unless the key is the whole stack.
uint32_t key_stack(StackPool& pool, const StackKey& key) {
  uint32_t frame = key.whole_stack ? kEmptyStack : pool.push(kContextNode, kEmptyStack);
  for (uint32_t i = key.depth; i-- > 0;) frame = pool.push(key.nodes[i], frame);
  return frame;
}

uint32_t bytes_taken(const Grammar& grammar, uint32_t node) {
  uint32_t n = 0;
  for (const ByteEdge& e : grammar.byte_edges(node)) n += e.hi - e.lo + 1u;
  return n;
}

// The part of the automaton `key` can reach, spelled out with nodes numbered in the order
// they are met: the key's frames, then per node its final flag, byte edges and calls.
// Everything a walk from the key looks at is in it, so keys of two grammars with the same
// spelling have the same entry. Empty past kMaxSharedWords.
std::string content_of(const Grammar& grammar, const StackKey& key) {
  // Per thread, reused: number[node] is valid when stamp[node] is this call's.
  thread_local std::vector<uint32_t> stamp, number, order, words;
  thread_local uint32_t call = 0;
  if (stamp.size() < grammar.node_count() || ++call == 0) {
    stamp.assign(std::max(stamp.size(), grammar.node_count()), 0);
    number.resize(stamp.size());
    call = 1;
  }
  order.clear();
  words.clear();
  auto put_node = [&](uint32_t node) {
    if (node == kNoNode) return words.push_back(kNoNode);
    if (stamp[node] != call) {
      stamp[node] = call;
      number[node] = static_cast<uint32_t>(order.size());
      order.push_back(node);
    }
    words.push_back(number[node]);
  };
  words.push_back(key.depth * 2 + (key.whole_stack ? 1 : 0));
  for (uint32_t i = 0; i < key.depth; ++i) put_node(key.nodes[i]);
  for (size_t k = 0; k < order.size(); ++k) {
    const uint32_t node = order[k];
    const std::span<const ByteEdge> edges = grammar.byte_edges(node);
    const std::span<const RuleCall> calls = grammar.calls(node);
    if (words.size() + 2 + 2 * (edges.size() + calls.size()) > kMaxSharedWords) return {};
    words.push_back((grammar.is_final(node) ? 1u : 0u) | static_cast<uint32_t>(edges.size()) << 1);
    for (const ByteEdge& e : edges) {
      words.push_back(uint32_t{e.lo} | uint32_t{e.hi} << 8);
      put_node(e.to);
    }
    words.push_back(static_cast<uint32_t>(calls.size()));
    for (const RuleCall& c : calls) {
      put_node(c.start);
      put_node(c.ret);
    }
  }
  return std::string(reinterpret_cast<const char*>(words.data()), words.size() * sizeof(uint32_t));
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

// Accepted tokens as ranges of trie positions (sorted_tokens indices), in walk order.
// Most keys accept either few tokens or nearly all, so the bitset is built from
// whichever side is smaller: a string body accepts ~250k tokens that would otherwise
// be set one by one.
class AcceptedRanges {
 public:
  void add(uint32_t begin, uint32_t end) {
    if (begin == end) return;
    if (!ranges_.empty() && ranges_.back().second == begin) {
      ranges_.back().second = end;
    } else {
      ranges_.emplace_back(begin, end);
    }
    count_ += end - begin;
  }

  std::vector<uint64_t> bitset(const Vocabulary& vocab) const {
    const TokenTrie& trie = vocab.trie();
    const auto total = static_cast<uint32_t>(trie.sorted_tokens.size());
    if (2 * count_ <= total) {
      std::vector<uint64_t> bits((vocab.size() + 63) / 64, 0);
      for (const auto& [b, e] : ranges_) trie.flip_tokens(bits, b, e);
      return bits;
    }
    std::vector<uint64_t> bits = trie.token_bits;
    uint32_t gap = 0;
    for (const auto& [b, e] : ranges_) {
      trie.flip_tokens(bits, gap, b);
      gap = e;
    }
    trie.flip_tokens(bits, gap, total);
    return bits;
  }

 private:
  std::vector<std::pair<uint32_t, uint32_t>> ranges_;
  size_t count_ = 0;
};

// The labels a subtree may hold, besides `bounded` (the labels `root` takes for at most
// `starts` character starts, and then dies), for its tokens to be in the bounded bitset
// or rejected without a walk. When the bounded labels are ASCII characters that all lead
// from one set to the same next one (a chain S_0 .. S_starts, none of which has left the
// key's frames), a path through the subtree is bounded bytes up to its first other byte;
// if that byte dies from every S_d, the path dies there or earlier (by length). Such
// bytes' labels are added, and so are the continuation labels: on a path below a bounded
// node they only follow a lead byte of the same subtree, whose label then decides. A
// pattern's narrow class with length bounds then skips the subtrees of words whose other
// bytes are spaces and punctuation, instead of walking every all-letter path. Otherwise
// returns `bounded`.
LabelSet skippable_labels(SetAutomaton& sets, uint32_t root, const LabelSet& bounded, uint32_t starts) {
  for (unsigned b = 0x80; b < 0x100; ++b) {
    if (bounded.contains(utf8_step(kCharStart, static_cast<uint8_t>(b)).label)) return bounded;
  }
  std::vector<uint32_t> chain{root};
  for (uint32_t d = 0; d < starts; ++d) {
    std::optional<uint32_t> to;
    for (unsigned b = 0; b < 0x80; ++b) {
      if (!bounded.contains(static_cast<uint16_t>(b))) continue;
      const uint32_t s = sets.next(chain.back(), static_cast<uint8_t>(b));
      if (to && *to != s) return bounded;
      to = s;
    }
    if (!to || !sets.nonempty(*to)) return bounded;
    chain.push_back(*to);
  }
  std::array<bool, 256> dies{};
  for (unsigned b = 0; b < 256; ++b) dies[b] = !bounded.contains(utf8_step(kCharStart, static_cast<uint8_t>(b)).label);
  for (const uint32_t set : chain) {
    if (sets.exited(set)) return bounded;
    for (unsigned b = 0; b < 256; ++b) dies[b] = dies[b] && !sets.nonempty(sets.next(set, static_cast<uint8_t>(b)));
  }
  LabelSet out = bounded;
  bool misfits_die = true;
  for (unsigned b = 0; b < 256; ++b) {
    const uint16_t label = utf8_step(kCharStart, static_cast<uint8_t>(b)).label;
    if (label == kMisfitLabel) {
      misfits_die = misfits_die && dies[b];
    } else if (dies[b]) {
      out.add(label);
    }
  }
  if (misfits_die) out.add(kMisfitLabel);
  for (unsigned l = 256; l < kMisfitLabel; ++l) out.add(static_cast<uint16_t>(l));
  return out;
}

// Classifies every token for `key` (see mask_cache.h), or gives up (nullopt) as soon as
// more than `max_context_dependent` tokens depend on context.
std::optional<MaskEntry> walk_trie(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key,
                                   size_t max_context_dependent, SafeLabelMemo* memo) {
  const TokenTrie& trie = vocab.trie();
  StackPool pool;
  const uint32_t frame = key_stack(pool, key);
  SetAutomaton sets(grammar, pool, trie.longest_starts, memo);

  MaskEntry entry;
  AcceptedRanges accepted;
  auto defer = [&](uint32_t first_token, uint32_t end_token) {
    if (entry.context_dependent.size() + (end_token - first_token) > max_context_dependent) return false;
    entry.context_dependent.insert(entry.context_dependent.end(), trie.sorted_tokens.begin() + first_token,
                                   trie.sorted_tokens.begin() + end_token);
    return true;
  };

  // When the key takes its safe labels for only so many characters (a string with
  // maxLength), the tokens made of them are decided by how many characters they start:
  // the vocabulary keeps those tokens as bitsets, so subtrees holding only such tokens
  // (or tokens that die at their first other byte, see skippable_labels) are skipped,
  // however deep, and their tokens taken from the bitset at the end.
  const uint32_t root = sets.intern({frame});
  std::optional<LabelSet> bounded_labels;
  LabelSet skippable;
  std::shared_ptr<const std::vector<uint64_t>> bounded_tokens;
  if (sets.live(root)) {
    if (const std::optional<SafeLabels> safe = sets.counted_labels(root, kCharStart)) {
      bounded_labels = *safe->labels;
      skippable = skippable_labels(sets, root, *bounded_labels, safe->starts);
      bounded_tokens = vocab.tokens_within(*safe->labels, safe->starts);
    }
  }

  // set_at[d], carry[d], position_at[d], bounded_at[d]: the stack set after the first d
  // bytes of the current trie path, whether some stack left the key's frames before
  // byte d, the UTF-8 position after byte d, and whether those d bytes are all bounded
  // labels.
  std::vector<uint32_t> set_at{root};
  std::vector<char> carry{0};
  std::vector<uint8_t> position_at{kCharStart};
  std::vector<char> bounded_at{bounded_labels ? char{1} : char{0}};
  const size_t n = trie.node_count();
  for (size_t i = 1; i < n;) {
    const uint32_t d = trie.depth[i];
    const uint32_t end = trie.subtree_end[i];
    const uint32_t summary = trie.summary_of[i];
    const Utf8Step step = utf8_step(position_at[d - 1], trie.byte[i]);
    const bool bounded = bounded_at[d - 1] != 0 && bounded_labels->contains(step.label);
    if (bounded && summary != kNoSummary && skippable.includes(trie.summaries[summary])) {
      i = end;  // every token below is in bounded_tokens or rejected
      continue;
    }
    const uint32_t parent = set_at[d - 1];
    const uint32_t s = sets.next(parent, trie.byte[i]);
    const bool exited_before = carry[d - 1] != 0 || sets.exited(parent);
    const uint32_t here_begin = trie.token_begin[i];
    const uint32_t here_end = trie.token_begin[i + 1];
    if (sets.nonempty(s)) {
      accepted.add(here_begin, here_end);
    } else if (exited_before && !defer(here_begin, here_end)) {
      return std::nullopt;
    }
    if (sets.live(s)) {
      // Safe labels are searched for only at big subtrees, where the search pays off;
      // once known (often as a by-product of another set's search) they serve everywhere.
      const bool try_bulk =
          summary != kNoSummary && (end - i >= kSearchMinNodes || sets.knows_safe_labels(s, step.after));
      if (try_bulk) {
        const SafeLabels safe = sets.safe_labels(s, step.after);
        if (safe.labels->includes(trie.summaries[summary]) &&
            (safe.starts == kAnyStarts || trie.summary_starts[summary] <= safe.starts)) {
          accepted.add(here_end, trie.token_begin[end]);  // every token below: no need to look
          i = end;
          continue;
        }
      }
      if (set_at.size() <= d) {
        set_at.resize(d + 1);
        carry.resize(d + 1);
        position_at.resize(d + 1);
        bounded_at.resize(d + 1);
      }
      set_at[d] = s;
      carry[d] = exited_before ? 1 : 0;
      position_at[d] = step.after;
      bounded_at[d] = bounded ? 1 : 0;
      ++i;
      continue;
    }
    // Nothing can go deeper from here: the longer tokens below only depend on context
    // if a stack already left the key's frames.
    if ((exited_before || sets.exited(s)) && !defer(here_end, trie.token_begin[end])) return std::nullopt;
    i = end;
  }
  entry.accepted = accepted.bitset(vocab);
  if (bounded_tokens) {
    for (size_t w = 0; w < entry.accepted.size(); ++w) entry.accepted[w] |= (*bounded_tokens)[w];
  }
  return entry;
}

}  // namespace

MaskEntry compute_mask_entry(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key) {
  return *walk_trie(grammar, vocab, key, SIZE_MAX, nullptr);
}

std::shared_ptr<const MaskEntry> MaskCache::get(const Grammar& grammar, const Vocabulary& vocab, const StackKey& key) {
  return find_or_make(grammar, vocab, key, false);
}

std::shared_ptr<const MaskEntry> MaskCache::find_or_make(const Grammar& grammar, const Vocabulary& vocab,
                                                         const StackKey& key, bool only_to_derive) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end() && (only_to_derive || !it->second->too_broad)) {
      return it->second;
    }
  }
  // Computed outside the lock: two threads may both compute a new key, which is harmless.
  std::shared_ptr<const MaskEntry> entry;
  bool shared_with_prefix = false;
  if (key.depth > 1) {
    StackKey prefix = key;
    prefix.nodes[--prefix.depth] = 0;
    prefix.whole_stack = false;
    // A prefix shorter than kKeyDepth is never a matcher's key (key_of goes deeper unless
    // the stack ends): its entry only serves to derive from.
    const std::shared_ptr<const MaskEntry> shorter = find_or_make(grammar, vocab, prefix, prefix.depth < kKeyDepth);
    if (!shorter->too_broad && shorter->context_dependent.empty()) {
      entry = shorter;  // nothing left for the extra frame to decide: the same entry serves
      shared_with_prefix = true;
    } else if (!shorter->too_broad && shorter->context_dependent.size() <= kDeriveMaxTokens) {
      entry = std::make_shared<const MaskEntry>(derive_mask_entry(grammar, vocab, key, *shorter));
    }
  }
  if (!entry) {
    // Another grammar over this vocabulary may have walked the same part of an automaton.
    std::string content = bytes_taken(grammar, key.nodes[0]) >= kMinSharedBytes ? content_of(grammar, key) : std::string();
    if (!content.empty()) entry = vocab.shared_mask_entries().find(content, only_to_derive);
    if (!entry) {
      std::optional<MaskEntry> walked =
          walk_trie(grammar, vocab, key, only_to_derive ? kDeriveMaxTokens : SIZE_MAX, &safe_labels_);
      if (!walked) {
        walked.emplace();
        walked->too_broad = true;
      }
      entry = std::make_shared<const MaskEntry>(std::move(*walked));
      if (!content.empty()) vocab.shared_mask_entries().add(std::move(content), entry);
    }
  }
  const size_t cost = shared_with_prefix ? 0
                                         : entry->accepted.size() * sizeof(uint64_t) +
                                               entry->context_dependent.size() * sizeof(TokenId);
  std::lock_guard lock(mutex_);
  if (bytes_ + cost > kMaskCacheBudgetBytes) {
    entries_.clear();
    bytes_ = 0;
  }
  // Replaces a too-broad placeholder; its cost was nothing.
  if (auto [it, added] = entries_.try_emplace(key, entry); added || it->second->too_broad) {
    it->second = entry;
    bytes_ += cost;
  }
  return entry;
}

size_t MaskCache::precompute(const Grammar& grammar, const Vocabulary& vocab) {
  size_t filled = 0;
  for (uint32_t node = 0; node < grammar.node_count(); ++node) {
    // Keys hold only the nodes that stand for their copies (see Matcher::key_of).
    if (grammar.byte_edges(node).empty() || grammar.equivalent_node(node, vocab.trie().longest_starts) != node) continue;
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
