// SentencePiece-style tokenization ("llama" vocabularies): start from UTF-8 characters
// and repeatedly merge the adjacent pair whose concatenation is the vocabulary token
// with the highest score (leftmost on ties); pieces left that are not tokens become
// byte tokens <0xNN>.
#include <algorithm>

#include "tokenizer/codepoints.h"
#include "tokenizer/internal.h"

namespace slm {

namespace {

struct SpmSymbol {
  int32_t prev;
  int32_t next;
  uint32_t begin;
  uint32_t len;
};

struct SpmBigram {
  float score;
  int32_t left;
  int32_t right;
  uint32_t size;
};

// Heap order: the top is the highest score, then the leftmost.
struct SpmBigramBelow {
  bool operator()(const SpmBigram& a, const SpmBigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

void Tokenizer::Impl::encode_spm(std::string_view src, std::vector<TokenId>& out) const {
  if (src.empty()) return;
  std::vector<SpmSymbol> syms;
  syms.reserve(src.size());
  for (size_t off = 0; off < src.size();) {
    const size_t len = std::min(tok::utf8_seq_len(static_cast<uint8_t>(src[off])), src.size() - off);
    const auto idx = static_cast<int32_t>(syms.size());
    syms.push_back({idx - 1, off + len == src.size() ? -1 : idx + 1, static_cast<uint32_t>(off),
                    static_cast<uint32_t>(len)});
    off += len;
  }
  std::vector<SpmBigram> heap;
  heap.reserve(syms.size());
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const uint32_t size = syms[left].len + syms[right].len;
    const TokenId id = lookup(src.substr(syms[left].begin, size));
    if (id == kNoToken) return;
    heap.push_back({score[id], left, right, size});
    std::push_heap(heap.begin(), heap.end(), SpmBigramBelow{});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(syms.size()); ++i) try_add(i - 1, i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), SpmBigramBelow{});
    const SpmBigram bg = heap.back();
    heap.pop_back();
    SpmSymbol& l = syms[bg.left];
    SpmSymbol& r = syms[bg.right];
    if (l.len == 0 || r.len == 0 || l.len + r.len != bg.size) continue;  // stale
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = bg.left;
    try_add(l.prev, bg.left);
    try_add(bg.left, l.next);
  }
  for (int32_t i = 0; i != -1; i = syms[i].next) {
    const SpmSymbol& s = syms[i];
    const TokenId id = lookup(src.substr(s.begin, s.len));
    if (id != kNoToken) {
      out.push_back(id);
      continue;
    }
    for (uint32_t k = s.begin; k < s.begin + s.len; ++k) {
      const TokenId b = spm_byte_token[static_cast<uint8_t>(src[k])];
      if (b != kNoToken) {
        out.push_back(b);
      } else if (unk != kNoToken) {
        out.push_back(unk);  // llama.cpp aborts here; a vocabulary without byte tokens gets <unk>
      }
    }
  }
}

}  // namespace slm
