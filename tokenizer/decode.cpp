// Detokenization: token pieces and llama.cpp's detokenizer rules.
#include <string>

#include "slm/error.h"
#include "tokenizer/codepoints.h"
#include "tokenizer/internal.h"

namespace slm {

namespace {

uint8_t byte_token_value(std::string_view text) {
  // "<0xNN>": the hex digits at 3..4 (llama.cpp parses them with strtol)
  unsigned value = 0;
  for (size_t k = 3; k < 5 && k < text.size(); ++k) {
    const char c = text[k];
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<unsigned>(c - 'A' + 10);
    } else {
      break;
    }
    value = value * 16 + d;
  }
  return static_cast<uint8_t>(value);
}

std::string unescape_spaces(std::string_view text) {
  static constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, kSpaceSymbol.size(), kSpaceSymbol) == 0) {
      out += ' ';
      i += kSpaceSymbol.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

// Byte-level BPE text -> bytes.
std::string unmap_bytes(std::string_view text) {
  std::vector<uint32_t> cpts;
  tok::decode_utf8_lenient(text, cpts);
  std::string out;
  out.reserve(text.size());
  for (uint32_t c : cpts) {
    const int b = tok::symbol_byte(c);
    if (b >= 0) {
      out += static_cast<char>(b);
      continue;
    }
    // not a byte symbol: llama.cpp writes a marker with the character and the token text
    std::string utf8;
    tok::append_utf8(utf8, c);
    static const char kHex[] = "0123456789abcdef";
    out += "[UNK_BYTE_0x";
    for (char ch : utf8) {
      out += kHex[static_cast<uint8_t>(ch) >> 4];
      out += kHex[static_cast<uint8_t>(ch) & 15];
    }
    out.append(text);
    out += ']';
  }
  return out;
}

// llama.cpp's clean_spaces passes, done in place exactly as it does them.
void clean_spaces(std::string& s) {
  auto n = static_cast<int64_t>(s.size());
  // 1: " ?", " !", " .", " ," lose the space
  int64_t total = n ? 1 : 0;
  for (int64_t i = 1; i < n; ++i) {
    const char x = s[i];
    if (s[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) --total;
    s[total++] = x;
  }
  // 2: " ' " -> "'"
  n = total;
  total = n ? 1 : 0;
  for (int64_t i = 1; i < n; ++i) {
    const char x = s[i];
    if (x == '\'' && i + 1 < n && s[i - 1] == ' ' && s[i + 1] == ' ') {
      --total;
      s[++i] = '\0';
    }
    s[total++] = x;
  }
  // 3: " 's", " 'm", " 're", " 've" lose the space
  n = total;
  total = n ? 1 : 0;
  for (int64_t i = 1; i < n; ++i) {
    const char x = s[i];
    if (s[i - 1] == ' ' && x == '\'' && i + 1 < n) {
      const char x1 = s[i + 1];
      if (x1 == 's' || x1 == 'm') {
        --total;
      } else if (x1 != 't' && x1 != 'd' && i + 2 < n) {
        const char x2 = s[i + 2];
        if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) --total;
      }
    }
    s[total++] = x;
  }
  s.resize(static_cast<size_t>(total));
}

}  // namespace

void Tokenizer::Impl::check_id(TokenId id) const {
  if (id < 0 || static_cast<size_t>(id) >= n_vocab()) {
    throw Error("tokenizer: token id " + std::to_string(id) + " out of range (vocabulary size " +
                std::to_string(n_vocab()) + ")");
  }
}

std::string Tokenizer::Impl::make_piece(TokenId id) const {
  const uint32_t a = attr[id];
  const std::string_view s = text[id];
  if (a & (token_attr::kUnknown | token_attr::kControl | token_attr::kUserDefined)) return std::string(s);
  if (a & token_attr::kNormal) return kind == TokenizerKind::Spm ? unescape_spaces(s) : unmap_bytes(s);
  if (a & token_attr::kByte) return std::string(1, static_cast<char>(byte_token_value(s)));
  return {};  // UNUSED / UNDEFINED render as nothing
}

std::string_view Tokenizer::token_to_piece(TokenId id, bool render_special) const {
  impl_->check_id(id);
  if (!render_special && (impl_->attr[id] & (token_attr::kUnknown | token_attr::kControl))) return {};
  return impl_->piece[id];
}

std::string Tokenizer::decode(std::span<const TokenId> ids, const DecodeOptions& options) const {
  const Impl& t = *impl_;
  for (TokenId id : ids) t.check_id(id);
  bool remove_space = options.strip_leading_space && t.add_space_prefix;
  size_t begin = 0;
  size_t end = ids.size();
  if (options.remove_special && t.add_bos && end > 0 && ids[0] == t.bos) {
    remove_space = false;
    begin = 1;
  }
  if (options.remove_special && t.add_eos && end > begin && ids[end - 1] == t.eos) --end;
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    std::string_view p = token_to_piece(ids[i], options.render_special);
    if (remove_space && !p.empty() && p[0] == ' ') p.remove_prefix(1);
    remove_space = false;
    out.append(p);
  }
  if (options.clean_spaces && t.clean_spaces) clean_spaces(out);
  return out;
}

}  // namespace slm
