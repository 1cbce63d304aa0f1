// A tokenizer's vocabulary as the grammar matcher sees it: each token's bytes, the EOG
// tokens, and a byte trie of the tokens that can match grammar text. Built once per
// tokenizer and shared (immutable but for its thread-safe caches) by every matcher.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/byte_labels.h"
#include "grammar/mask_entry.h"
#include "slm/tokenizer.h"

namespace slm::grammar {

// Tokens sorted by their bytes, as a trie laid out in depth-first order: the subtree of
// node i is [i, subtree_end[i]), and the tokens ending at node i are
// sorted_tokens[token_begin[i] .. token_begin[i + 1]). Node 0 is the root (no byte).
// Subtrees of more than kSummaryMinNodes nodes carry the labels (byte_labels.h) of every
// node below their root, summaries[summary_of[i]], and the most character starts
// (starts_char) below it on one path, summary_starts[summary_of[i]], so a mask walk can
// decide all their tokens at once; smaller ones are cheaper to walk than to test.
inline constexpr uint32_t kSummaryMinNodes = 16;
inline constexpr uint32_t kNoSummary = UINT32_MAX;
// Subtrees of at least this many tokens also keep their tokens as a bitset over the
// vocabulary (see TokenTrie::flip_tokens).
inline constexpr uint32_t kBlockMinTokens = 1024;

struct TokenTrie {
  std::vector<uint8_t> byte;
  std::vector<uint32_t> depth;
  std::vector<uint32_t> subtree_end;
  std::vector<uint32_t> token_begin;  // one more entry than nodes
  std::vector<TokenId> sorted_tokens;
  std::vector<uint64_t> token_bits;   // bitset over the vocabulary of sorted_tokens
  std::vector<uint32_t> summary_of;   // per node: index into summaries, or kNoSummary
  std::vector<LabelSet> summaries;
  std::vector<uint32_t> summary_starts;
  std::vector<uint32_t> token_starts;  // per sorted_tokens entry: characters its bytes start
  uint32_t longest_starts = 0;         // the most of any token
  // The sorted_tokens ranges of the subtrees of at least kBlockMinTokens tokens, by
  // where they begin (of subtrees beginning at the same token, the outermost), and their
  // tokens as bitsets, block_bits[k * words .. (k + 1) * words), words = token_bits.size().
  struct Block {
    uint32_t begin;
    uint32_t end;
  };
  std::vector<Block> blocks;
  std::vector<uint64_t> block_bits;

  size_t node_count() const { return byte.size(); }
  // Flips the bits of the tokens sorted_tokens[from .. to) in `bits` (vocabulary-sized):
  // a mask walk's accepted tokens are such ranges, and the large ones (a string body
  // takes ~250k tokens) go a block at a time instead of a bit at a time.
  void flip_tokens(std::span<uint64_t> bits, uint32_t from, uint32_t to) const;
};

class Vocabulary {
 public:
  // `token_bytes[i]`: the bytes token i can stand for in grammar text, empty for tokens
  // that never match grammar bytes (control, unused, EOG, empty).
  Vocabulary(std::vector<std::string> token_bytes, std::vector<TokenId> eog_tokens);

  size_t size() const { return offsets_.size() - 1; }
  std::string_view bytes(TokenId id) const {
    return std::string_view(data_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  bool is_eog(TokenId id) const { return is_eog_[id] != 0; }
  const std::vector<TokenId>& eog_tokens() const { return eog_; }
  const TokenTrie& trie() const { return trie_; }

  // The tokens whose bytes, labelled from a character start, all have labels in `labels`
  // and start at most `starts` characters, as a bitset over the vocabulary: what a
  // bounded repeat of a character class accepts (see SafeLabels). The bitsets of the
  // last few label sets asked for are kept (thread-safe).
  std::shared_ptr<const std::vector<uint64_t>> tokens_within(const LabelSet& labels, uint32_t starts) const;
  // Mask-cache entries shared by every grammar over this vocabulary (see mask_entry.h).
  SharedMaskEntries& shared_mask_entries() const { return shared_entries_; }

 private:
  struct ByStarts {
    LabelSet labels;
    std::shared_ptr<const std::vector<std::vector<uint64_t>>> bits;  // [k]: at most k starts
  };

  std::string data_;
  std::vector<uint32_t> offsets_;
  std::vector<uint8_t> is_eog_;
  std::vector<TokenId> eog_;
  TokenTrie trie_;
  mutable std::mutex by_starts_mutex_;
  mutable std::vector<ByStarts> by_starts_;  // most recently used last
  mutable SharedMaskEntries shared_entries_;
};

std::shared_ptr<const Vocabulary> make_vocabulary(const Tokenizer& tok);

}  // namespace slm::grammar
