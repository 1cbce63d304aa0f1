// Code point helpers for the tokenizers: llama.cpp-compatible (lenient) UTF-8 decoding,
// per-code-point category flags and the GPT-2 byte <-> symbol table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slm::tok {

inline constexpr uint32_t kReplacementChar = 0xFFFD;

// Length of a UTF-8 sequence from its first byte, as llama.cpp counts it (continuation
// and invalid lead bytes count as 1; F8..FF count as 4).
inline size_t utf8_seq_len(uint8_t lead) {
  static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLen[lead >> 4];
}

// Decodes `text` into code points the way llama.cpp does: no overlong / surrogate
// checks, but a bad lead byte, a truncated sequence or a missing continuation byte gives
// one U+FFFD and skips one byte. Values above U+10FFFF (which llama.cpp cannot encode
// back) also become U+FFFD.
void decode_utf8_lenient(std::string_view text, std::vector<uint32_t>& out);

// Appends the UTF-8 encoding of `cpt` (U+FFFD for values above U+10FFFF).
void append_utf8(std::string& out, uint32_t cpt);

// Category flags (one category bit per code point, plus whitespace).
enum CptFlag : uint8_t {
  kLetter = 1,       // \p{L}
  kNumber = 2,       // \p{N}
  kPunctuation = 4,  // \p{P}
  kSymbol = 8,       // \p{S}
  kMark = 16,        // \p{M}
  kOther = 32,       // \p{C}, \p{Z}, unassigned, out of range
  kWhitespace = 64,  // White_Space property (Python regex \s)
};
uint8_t cpt_flags(uint32_t cpt);

// llama.cpp's "collapsed" single-unit stand-in of a code point for its std::regex path:
// ASCII stays itself, other whitespace -> 0x0B, letters 0xD2, numbers 0xD1,
// punctuation 0xD3, marks 0xD4, symbols 0xD5, anything else 0xD0.
uint32_t collapse_cpt(uint32_t cpt);

// ASCII-only lower-casing (all llama.cpp needs for contraction matching).
inline uint32_t ascii_lower(uint32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// GPT-2 byte-level symbols: byte -> its symbol as UTF-8, and symbol code point -> byte
// (-1 for a code point that is not one of the 256 symbols).
const std::string& byte_symbol(uint8_t byte);
int symbol_byte(uint32_t cpt);

}  // namespace slm::tok
