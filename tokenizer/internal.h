// Tokenizer internals shared by the tokenizer/*.cpp files.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "slm/tokenizer.h"
#include "tokenizer/pretokenize.h"

namespace slm {

namespace tok {

// Texts stored back to back; views stay valid for the lifetime of the arena.
class StringArena {
 public:
  void reserve(size_t count, size_t bytes) {
    offsets_.reserve(count + 1);
    data_.reserve(bytes);
  }
  void push(std::string_view s) {
    if (offsets_.empty()) offsets_.push_back(0);
    data_.append(s);
    offsets_.push_back(data_.size());
  }
  size_t size() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::string_view operator[](size_t i) const {
    return std::string_view(data_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }

 private:
  std::string data_;
  std::vector<size_t> offsets_;
};

struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept {
    // FNV-1a over 8-byte words: fast for short keys, good enough spread.
    uint64_t h = 0xcbf29ce484222325ull ^ s.size();
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      __builtin_memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * 0x100000001b3ull;
      h ^= h >> 29;
    }
    for (; i < s.size(); ++i) h = (h ^ static_cast<uint8_t>(s[i])) * 0x100000001b3ull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
};

using TokenMap = std::unordered_map<std::string_view, int32_t, StringViewHash>;

// Merge table of a BPE vocabulary: (left symbol, right symbol) -> (rank, merged symbol).
// Symbols are interned strings: a vocabulary text has its token id, other strings that
// occur in merges get ids from vocab_size up.
class MergeTable {
 public:
  struct Entry {
    uint64_t key;
    int32_t rank;
    int32_t result;
  };
  void build(std::vector<Entry> entries);  // first occurrence of a pair wins
  const Entry* find(int32_t left, int32_t right) const {
    if (left < 0 || right < 0 || slots_.empty()) return nullptr;
    const uint64_t key = make_key(left, right);
    size_t i = hash(key) & mask_;
    while (true) {
      const Entry& e = slots_[i];
      if (e.key == key) return &e;
      if (e.key == kEmpty) return nullptr;
      i = (i + 1) & mask_;
    }
  }
  static uint64_t make_key(int32_t l, int32_t r) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(l)) << 32) | static_cast<uint32_t>(r);
  }
  size_t size() const { return count_; }

 private:
  static constexpr uint64_t kEmpty = ~0ull;
  static size_t hash(uint64_t k) { return static_cast<size_t>((k * 0x9E3779B97F4A7C15ull) >> 17); }
  std::vector<Entry> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

struct Fragment {
  bool is_token;
  int32_t token;
  size_t begin;  // raw text range when !is_token
  size_t end;
};

// Special-token matcher: a byte trie over the texts of CONTROL / USER_DEFINED / UNKNOWN
// tokens, and llama.cpp's splitting order (longest token text first).
class SpecialMatcher {
 public:
  void build(const std::vector<int32_t>& ids_by_priority, const StringArena& texts,
             const std::vector<uint32_t>& attrs);
  bool empty() const { return priority_.empty(); }
  // Cuts `text` into raw-text and token fragments like llama.cpp's tokenizer_st_partition.
  void partition(std::string_view text, bool parse_special, const std::vector<uint32_t>& attrs,
                 const StringArena& texts, std::vector<Fragment>& out) const;

 private:
  struct Node {
    int32_t first_child = -1;
    int32_t next_sibling = -1;
    int32_t token = -1;
    uint8_t byte = 0;
  };
  int32_t child(int32_t node, uint8_t b) const;
  std::vector<Node> nodes_;
  std::array<int32_t, 256> root_{};
  std::unordered_map<int32_t, int32_t> priority_;  // token -> rank in splitting order
};

}  // namespace tok

struct Tokenizer::Impl {
  TokenizerKind kind = TokenizerKind::Spm;
  std::string model;
  std::string pre;

  tok::StringArena text;      // id -> token text
  std::vector<float> score;   // id -> score
  std::vector<int32_t> type;  // id -> type from the file
  std::vector<uint32_t> attr;
  tok::TokenMap token_to_id;
  tok::StringArena piece;  // id -> piece (special tokens rendered)

  TokenId bos = kNoToken, eos = kNoToken, eot = kNoToken, eom = kNoToken, unk = kNoToken;
  TokenId sep = kNoToken, pad = kNoToken, mask = kNoToken, nl = kNoToken;
  TokenId fim_pre = kNoToken, fim_suf = kNoToken, fim_mid = kNoToken, fim_pad = kNoToken;
  TokenId fim_rep = kNoToken, fim_sep = kNoToken;
  bool add_bos = false, add_eos = false, add_sep = false;
  bool add_space_prefix = false, clean_spaces = false, ignore_merges = false;
  std::vector<TokenId> eog;  // sorted
  std::vector<uint8_t> is_eog;

  tok::SpecialMatcher specials;

  // SPM
  std::array<int32_t, 256> spm_byte_token{};  // <0xNN> (or the raw byte) per byte, -1 if absent

  // BPE
  std::unique_ptr<tok::PreTokenizer> pre_tokenizer;
  tok::MergeTable merges;
  std::array<int32_t, 256> byte_sym{};          // symbol of each byte's GPT-2 character
  std::array<int32_t, 256> single_byte_token{};  // token whose text is that one raw byte

  TokenId lookup(std::string_view s) const {
    auto it = token_to_id.find(s);
    return it == token_to_id.end() ? kNoToken : it->second;
  }
  size_t n_vocab() const { return text.size(); }
  void check_id(TokenId id) const;

  void encode_spm(std::string_view text, std::vector<TokenId>& out) const;
  void encode_bpe(std::string_view text, std::vector<TokenId>& out) const;
  std::string make_piece(TokenId id) const;
};

namespace tok {
// Loads everything from the GGUF metadata (vocab.cpp).
void load_vocab(const GgufFile& gguf, Tokenizer::Impl& impl);
}  // namespace tok

}  // namespace slm
