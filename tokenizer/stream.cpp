// Incremental detokenization that only ever returns complete UTF-8, and UTF-8 repair.
#include <cstdint>

#include "tokenizer/internal.h"

namespace slm {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the valid sequence starting at s[i]; 0 when it is invalid (then `bad`
// bytes form its maximal invalid subpart); -1 when the bytes up to `n` are a valid but
// incomplete prefix.
int sequence_at(const uint8_t* s, size_t n, size_t i, size_t& bad) {
  const uint8_t b = s[i];
  if (b < 0x80) return 1;
  size_t need;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    bad = 1;
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= n) return -1;
    const uint8_t c = s[i + k];
    const bool ok = (k == 1) ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
    if (!ok) {
      bad = k;
      return 0;
    }
  }
  return static_cast<int>(need + 1);
}

// Appends the valid / repaired part of `in` to `out`; returns how many bytes of `in` were
// consumed (the rest is an incomplete sequence at the end, unless `final`).
size_t repair(std::string_view in, std::string& out, bool final) {
  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    size_t bad = 0;
    const int len = sequence_at(s, n, i, bad);
    if (len > 0) {
      out.append(in.substr(i, static_cast<size_t>(len)));
      i += static_cast<size_t>(len);
    } else if (len == 0) {
      out.append(kReplacement);
      i += bad;
    } else {
      if (!final) return i;
      out.append(kReplacement);
      return n;
    }
  }
  return n;
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  repair(text, out, true);
  return out;
}

bool is_valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t i = 0; i < text.size();) {
    size_t bad = 0;
    const int len = sequence_at(s, text.size(), i, bad);
    if (len <= 0) return false;
    i += static_cast<size_t>(len);
  }
  return true;
}

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, DecodeOptions options)
    : tokenizer_(tokenizer), options_(options) {
  reset();
}

void StreamDecoder::reset() {
  pending_.clear();
  first_ = true;
  strip_next_ = options_.strip_leading_space && tokenizer_.add_space_prefix();
}

std::string StreamDecoder::push(TokenId id) {
  std::string_view piece = tokenizer_.token_to_piece(id, options_.render_special);
  if (first_) {
    first_ = false;
    if (options_.remove_special && tokenizer_.add_bos() && id == tokenizer_.bos()) {
      strip_next_ = false;
      return {};
    }
  }
  if (strip_next_ && !piece.empty() && piece[0] == ' ') piece.remove_prefix(1);
  strip_next_ = false;
  pending_.append(piece);
  std::string out;
  const size_t used = repair(pending_, out, false);
  pending_.erase(0, used);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out;
  repair(pending_, out, true);
  pending_.clear();
  return out;
}

}  // namespace slm
