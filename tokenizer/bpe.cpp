// Byte-level BPE ("gpt2" vocabularies): pre-tokenize, map bytes to GPT-2 symbols, then
// repeatedly merge the adjacent pair with the lowest merge rank (leftmost on ties).
#include <algorithm>

#include "tokenizer/codepoints.h"
#include "tokenizer/internal.h"

namespace slm {

namespace tok {

void MergeTable::build(std::vector<Entry> entries) {
  size_t cap = 16;
  while (cap < entries.size() * 2) cap <<= 1;
  slots_.assign(cap, Entry{kEmpty, 0, 0});
  mask_ = cap - 1;
  count_ = 0;
  for (const Entry& e : entries) {
    size_t i = hash(e.key) & mask_;
    while (slots_[i].key != kEmpty && slots_[i].key != e.key) i = (i + 1) & mask_;
    if (slots_[i].key == kEmpty) {  // the first merge of a pair keeps its rank
      slots_[i] = e;
      ++count_;
    }
  }
}

namespace {

struct Symbol {
  int32_t sym;
  int32_t prev;
  int32_t next;
  uint32_t begin;  // byte range of the word's canonical UTF-8
  uint32_t len;
};

struct Bigram {
  int32_t rank;
  int32_t left;
  int32_t right;
  int32_t lsym;
  int32_t rsym;
  int32_t result;
};

// Heap order: the top is the lowest rank, then the leftmost.
struct BigramAfter {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

}  // namespace

}  // namespace tok

void Tokenizer::Impl::encode_bpe(std::string_view input, std::vector<TokenId>& out) const {
  using namespace tok;
  std::vector<uint32_t> cpts;
  decode_utf8_lenient(input, cpts);
  std::vector<size_t> lengths;
  pre_tokenizer->split(cpts, lengths);

  // The words as llama.cpp sees them: code points re-encoded as UTF-8.
  std::string bytes;
  bytes.reserve(input.size() + 8);
  std::vector<uint32_t> offset(cpts.size() + 1);
  for (size_t i = 0; i < cpts.size(); ++i) {
    offset[i] = static_cast<uint32_t>(bytes.size());
    append_utf8(bytes, cpts[i]);
  }
  offset[cpts.size()] = static_cast<uint32_t>(bytes.size());

  std::vector<Symbol> syms;
  std::vector<Bigram> heap;
  std::string encoded;
  const auto n = static_cast<int32_t>(n_vocab());

  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const MergeTable::Entry* e = merges.find(syms[left].sym, syms[right].sym);
    if (e == nullptr) return;
    heap.push_back({e->rank, left, right, syms[left].sym, syms[right].sym, e->result});
    std::push_heap(heap.begin(), heap.end(), BigramAfter{});
  };

  size_t cp = 0;
  for (size_t len : lengths) {
    const uint32_t wb = offset[cp];
    const uint32_t we = offset[cp + len];
    cp += len;
    if (wb == we) continue;
    if (ignore_merges) {
      encoded.clear();
      for (uint32_t i = wb; i < we; ++i) encoded += byte_symbol(static_cast<uint8_t>(bytes[i]));
      const TokenId whole = lookup(encoded);
      if (whole != kNoToken) {
        out.push_back(whole);
        continue;
      }
    }
    syms.clear();
    heap.clear();
    const auto m = static_cast<int32_t>(we - wb);
    for (int32_t i = 0; i < m; ++i) {
      const auto b = static_cast<uint8_t>(bytes[wb + static_cast<uint32_t>(i)]);
      syms.push_back({byte_sym[b], i - 1, i + 1 < m ? i + 1 : -1, wb + static_cast<uint32_t>(i), 1});
    }
    for (int32_t i = 1; i < m; ++i) try_add(i - 1, i);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), BigramAfter{});
      const Bigram bg = heap.back();
      heap.pop_back();
      Symbol& l = syms[bg.left];
      Symbol& r = syms[bg.right];
      if (l.len == 0 || r.len == 0 || l.sym != bg.lsym || r.sym != bg.rsym) continue;  // stale
      l.sym = bg.result;
      l.len += r.len;
      r.len = 0;
      l.next = r.next;
      if (r.next >= 0) syms[r.next].prev = bg.left;
      try_add(l.prev, bg.left);
      try_add(bg.left, l.next);
    }
    for (int32_t i = 0; i != -1; i = syms[i].next) {
      const Symbol& s = syms[i];
      if (s.sym >= 0 && s.sym < n) {
        out.push_back(s.sym);
        continue;
      }
      // Not a token: llama.cpp looks up each byte of the symbol's text on its own.
      for (uint32_t k = s.begin; k < s.begin + s.len; ++k) {
        for (char c : byte_symbol(static_cast<uint8_t>(bytes[k]))) {
          const TokenId id = single_byte_token[static_cast<uint8_t>(c)];
          if (id != kNoToken) out.push_back(id);
        }
      }
    }
  }
}

}  // namespace slm
