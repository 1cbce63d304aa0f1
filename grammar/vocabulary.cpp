#include "grammar/vocabulary.h"

#include <algorithm>

namespace slm::grammar {

namespace {

// Sets the bits of the tokens sorted_tokens[begin .. end) in `bits` (vocabulary-sized).
void mark_tokens(const TokenTrie& t, uint64_t* bits, uint32_t begin, uint32_t end) {
  for (uint32_t k = begin; k < end; ++k) {
    const TokenId id = t.sorted_tokens[k];
    bits[static_cast<size_t>(id) >> 6] |= uint64_t{1} << (id & 63);
  }
}

TokenTrie build_trie(const Vocabulary& v) {
  TokenTrie t;
  for (TokenId id = 0; id < static_cast<TokenId>(v.size()); ++id) {
    if (!v.bytes(id).empty()) t.sorted_tokens.push_back(id);
  }
  std::sort(t.sorted_tokens.begin(), t.sorted_tokens.end(), [&](TokenId a, TokenId b) {
    const auto x = v.bytes(a), y = v.bytes(b);
    return x != y ? x < y : a < b;
  });
  auto add_node = [&](uint8_t byte, uint32_t depth, uint32_t first_token) {
    t.byte.push_back(byte);
    t.depth.push_back(depth);
    t.subtree_end.push_back(0);
    t.token_begin.push_back(first_token);
    return static_cast<uint32_t>(t.byte.size() - 1);
  };
  std::vector<uint32_t> path{add_node(0, 0, 0)};  // path[d]: node at depth d of the last token
  std::string_view prev;
  for (uint32_t k = 0; k < t.sorted_tokens.size(); ++k) {
    const std::string_view b = v.bytes(t.sorted_tokens[k]);
    size_t common = 0;
    while (common < prev.size() && common < b.size() && prev[common] == b[common]) ++common;
    while (path.size() > common + 1) {
      t.subtree_end[path.back()] = static_cast<uint32_t>(t.byte.size());
      path.pop_back();
    }
    for (size_t d = common; d < b.size(); ++d) {
      path.push_back(add_node(static_cast<uint8_t>(b[d]), static_cast<uint32_t>(d + 1), k));
    }
    prev = b;
  }
  while (!path.empty()) {
    t.subtree_end[path.back()] = static_cast<uint32_t>(t.byte.size());
    path.pop_back();
  }
  t.token_begin.push_back(static_cast<uint32_t>(t.sorted_tokens.size()));
  const size_t words = (v.size() + 63) / 64;
  t.token_bits.assign(words, 0);
  mark_tokens(t, t.token_bits.data(), 0, static_cast<uint32_t>(t.sorted_tokens.size()));
  // Depth-first order visits a subtree before the ones inside it, so blocks come sorted
  // by where they begin, the outermost first.
  for (uint32_t i = 1; i < t.node_count(); ++i) {
    const uint32_t begin = t.token_begin[i], end = t.token_begin[t.subtree_end[i]];
    if (end - begin < kBlockMinTokens || (!t.blocks.empty() && t.blocks.back().begin == begin)) continue;
    t.blocks.push_back({begin, end});
    t.block_bits.resize(t.block_bits.size() + words, 0);
    mark_tokens(t, t.block_bits.data() + t.block_bits.size() - words, begin, end);
  }
  return t;
}

// Fills summary_of / summaries / summary_starts and token_starts in one pass: each node
// on the current path collects the labels and the most starts below it, and hands them
// to its parent when its subtree ends.
void summarise_subtrees(TokenTrie& t) {
  struct Open {
    uint32_t node;
    uint8_t position;  // UTF-8 position after the node's byte
    uint32_t starts;   // characters started from the root through this node
    LabelSet below;
    uint32_t starts_below = 0;
  };
  t.summary_of.assign(t.node_count(), kNoSummary);
  t.token_starts.assign(t.sorted_tokens.size(), 0);
  std::vector<Open> path{{0, kCharStart, 0, {}}};
  auto close = [&] {
    const Open done = path.back();
    path.pop_back();
    if (t.subtree_end[done.node] - done.node > kSummaryMinNodes) {
      t.summary_of[done.node] = static_cast<uint32_t>(t.summaries.size());
      t.summaries.push_back(done.below);
      t.summary_starts.push_back(done.starts_below);
    }
    if (!path.empty()) {
      Open& parent = path.back();
      parent.below |= done.below;
      parent.starts_below = std::max(parent.starts_below, done.starts - parent.starts + done.starts_below);
    }
  };
  for (uint32_t i = 1; i < t.node_count(); ++i) {
    while (path.size() > t.depth[i]) close();
    const Utf8Step step = utf8_step(path.back().position, t.byte[i]);
    path.back().below.add(step.label);
    const uint32_t starts = path.back().starts + (starts_char(step.label) ? 1 : 0);
    path.push_back({i, step.after, starts, {}});
    for (uint32_t k = t.token_begin[i]; k < t.token_begin[i + 1]; ++k) t.token_starts[k] = starts;
    t.longest_starts = std::max(t.longest_starts, starts);
  }
  while (!path.empty()) close();
}

// Bitsets [k] of the tokens made only of `labels` with at most k starts, k up to the
// longest token: the trie is walked once, whole subtrees taken by their summaries.
std::vector<std::vector<uint64_t>> tokens_by_starts(const TokenTrie& t, const LabelSet& labels, size_t vocab_size) {
  std::vector<std::vector<uint64_t>> bits(t.longest_starts + 1, std::vector<uint64_t>((vocab_size + 63) / 64, 0));
  auto add = [&](uint32_t first, uint32_t end) {
    for (uint32_t k = first; k < end; ++k) {
      const TokenId id = t.sorted_tokens[k];
      bits[t.token_starts[k]][static_cast<size_t>(id) >> 6] |= uint64_t{1} << (id & 63);
    }
  };
  std::vector<uint8_t> position_at{kCharStart};
  for (uint32_t i = 1; i < t.node_count();) {
    const uint32_t d = t.depth[i];
    const Utf8Step step = utf8_step(position_at[d - 1], t.byte[i]);
    const uint32_t end = t.subtree_end[i];
    if (!labels.contains(step.label)) {
      i = end;
    } else if (t.summary_of[i] != kNoSummary && labels.includes(t.summaries[t.summary_of[i]])) {
      add(t.token_begin[i], t.token_begin[end]);
      i = end;
    } else {
      add(t.token_begin[i], t.token_begin[i + 1]);
      if (position_at.size() <= d) position_at.resize(d + 1);
      position_at[d] = step.after;
      ++i;
    }
  }
  for (size_t k = 1; k < bits.size(); ++k) {
    for (size_t w = 0; w < bits[k].size(); ++w) bits[k][w] |= bits[k - 1][w];
  }
  return bits;
}

// Label sets whose bitsets are kept: a grammar uses a few (a JSON string character, a
// pattern's classes), and each costs (longest token + 1) vocabulary bitsets.
constexpr size_t kKeptLabelSets = 8;

}  // namespace

void TokenTrie::flip_tokens(std::span<uint64_t> bits, uint32_t from, uint32_t to) const {
  const size_t words = token_bits.size();
  auto block = std::lower_bound(blocks.begin(), blocks.end(), from, [](const Block& b, uint32_t k) { return b.begin < k; });
  for (uint32_t k = from; k < to;) {
    while (block != blocks.end() && block->begin < k) ++block;
    if (block != blocks.end() && block->begin == k && block->end <= to) {
      const uint64_t* b = block_bits.data() + static_cast<size_t>(block - blocks.begin()) * words;
      for (size_t w = 0; w < words; ++w) bits[w] ^= b[w];
      k = block->end;
      continue;
    }
    // Bit by bit up to the next block (or one token, when the block here runs past `to`).
    const uint32_t stop = block == blocks.end() ? to : std::min(to, std::max(block->begin, k + 1));
    for (; k < stop; ++k) {
      const TokenId id = sorted_tokens[k];
      bits[static_cast<size_t>(id) >> 6] ^= uint64_t{1} << (id & 63);
    }
  }
}

Vocabulary::Vocabulary(std::vector<std::string> token_bytes, std::vector<TokenId> eog_tokens)
    : is_eog_(token_bytes.size(), 0), eog_(std::move(eog_tokens)) {
  offsets_.push_back(0);
  for (const std::string& b : token_bytes) {
    data_ += b;
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
  }
  std::sort(eog_.begin(), eog_.end());
  eog_.erase(std::unique(eog_.begin(), eog_.end()), eog_.end());
  for (const TokenId id : eog_) is_eog_[id] = 1;
  trie_ = build_trie(*this);
  summarise_subtrees(trie_);
}

std::shared_ptr<const std::vector<uint64_t>> Vocabulary::tokens_within(const LabelSet& labels, uint32_t starts) const {
  std::shared_ptr<const std::vector<std::vector<uint64_t>>> bits;
  {
    std::lock_guard lock(by_starts_mutex_);
    const auto it = std::find_if(by_starts_.begin(), by_starts_.end(), [&](const ByStarts& b) { return b.labels == labels; });
    if (it != by_starts_.end()) {
      std::rotate(it, it + 1, by_starts_.end());
      bits = by_starts_.back().bits;
    }
  }
  if (!bits) {
    // Computed outside the lock: two threads may both compute a new set, which is harmless.
    bits = std::make_shared<const std::vector<std::vector<uint64_t>>>(tokens_by_starts(trie_, labels, size()));
    std::lock_guard lock(by_starts_mutex_);
    if (by_starts_.size() == kKeptLabelSets) by_starts_.erase(by_starts_.begin());
    by_starts_.push_back({labels, bits});
  }
  const std::vector<uint64_t>& within = (*bits)[std::min<uint32_t>(starts, trie_.longest_starts)];
  return {bits, &within};  // shares ownership of all the label set's bitsets
}

std::shared_ptr<const Vocabulary> make_vocabulary(const Tokenizer& tok) {
  const size_t n = tok.vocab_size();
  std::vector<std::string> bytes(n);
  constexpr uint32_t kNeverText = token_attr::kControl | token_attr::kUnknown | token_attr::kUnused;
  for (TokenId id = 0; id < static_cast<TokenId>(n); ++id) {
    if (tok.is_eog(id) || (tok.token_attributes(id) & kNeverText) != 0) continue;
    bytes[id] = std::string(tok.token_to_piece(id, false));
  }
  return std::make_shared<const Vocabulary>(std::move(bytes), tok.eog_tokens());
}

}  // namespace slm::grammar
