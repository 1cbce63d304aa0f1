#include "tokenizer/codepoints.h"

#include <utf8proc.h>

#include <array>
#include <mutex>

namespace slm::tok {

void decode_utf8_lenient(std::string_view text, std::vector<uint32_t>& out) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  out.clear();
  out.reserve(n);
  size_t i = 0;
  auto cont = [&](size_t k) { return (s[k] & 0xC0) == 0x80; };
  while (i < n) {
    const uint8_t b = s[i];
    if (b < 0x80) {
      out.push_back(b);
      i += 1;
    } else if ((b & 0x40) == 0) {  // stray continuation byte
      out.push_back(kReplacementChar);
      i += 1;
    } else if ((b & 0x20) == 0) {
      if (i + 1 >= n || !cont(i + 1)) {
        out.push_back(kReplacementChar);
        i += 1;
      } else {
        out.push_back((uint32_t(b & 0x1F) << 6) | (s[i + 1] & 0x3Fu));
        i += 2;
      }
    } else if ((b & 0x10) == 0) {
      if (i + 2 >= n || !cont(i + 1) || !cont(i + 2)) {
        out.push_back(kReplacementChar);
        i += 1;
      } else {
        out.push_back((uint32_t(b & 0x0F) << 12) | (uint32_t(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3Fu));
        i += 3;
      }
    } else if ((b & 0x08) == 0) {
      if (i + 3 >= n || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) {
        out.push_back(kReplacementChar);
        i += 1;
      } else {
        const uint32_t c = (uint32_t(b & 0x07) << 18) | (uint32_t(s[i + 1] & 0x3F) << 12) |
                           (uint32_t(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3Fu);
        out.push_back(c > 0x10FFFF ? kReplacementChar : c);
        i += 4;
      }
    } else {
      out.push_back(kReplacementChar);
      i += 1;
    }
  }
}

void append_utf8(std::string& out, uint32_t cpt) {
  if (cpt > 0x10FFFF) cpt = kReplacementChar;
  if (cpt < 0x80) {
    out.push_back(static_cast<char>(cpt));
  } else if (cpt < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cpt >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

namespace {

constexpr uint32_t kMaxCodepoints = 0x110000;

bool is_white_space(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

uint8_t category_flag(uint32_t c) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return kLetter;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return kMark;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return kNumber;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return kPunctuation;
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
      return kSymbol;
    default:
      return kOther;
  }
}

const std::vector<uint8_t>& flag_table() {
  static const std::vector<uint8_t> table = [] {
    std::vector<uint8_t> t(kMaxCodepoints);
    for (uint32_t c = 0; c < kMaxCodepoints; ++c) {
      t[c] = static_cast<uint8_t>(category_flag(c) | (is_white_space(c) ? kWhitespace : 0));
    }
    return t;
  }();
  return table;
}

struct ByteTables {
  std::array<std::string, 256> symbol;
  std::array<int16_t, 512> byte_of{};  // symbols are all below U+0200
};

const ByteTables& byte_tables() {
  static const ByteTables tables = [] {
    ByteTables t;
    t.byte_of.fill(-1);
    std::array<uint32_t, 256> cpt{};
    std::array<bool, 256> direct{};
    for (int b = 0; b < 256; ++b) {
      direct[b] = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) cpt[b] = direct[b] ? static_cast<uint32_t>(b) : next++;
    for (int b = 0; b < 256; ++b) {
      append_utf8(t.symbol[b], cpt[b]);
      t.byte_of[cpt[b]] = static_cast<int16_t>(b);
    }
    return t;
  }();
  return tables;
}

}  // namespace

uint8_t cpt_flags(uint32_t cpt) {
  return cpt < kMaxCodepoints ? flag_table()[cpt] : static_cast<uint8_t>(kOther);
}

uint32_t collapse_cpt(uint32_t cpt) {
  if (cpt < 128) return cpt;
  const uint8_t f = cpt_flags(cpt);
  if (f & kWhitespace) return 0x0B;
  if (f & kLetter) return 0xD2;
  if (f & kNumber) return 0xD1;
  if (f & kPunctuation) return 0xD3;
  if (f & kMark) return 0xD4;
  if (f & kSymbol) return 0xD5;
  return 0xD0;
}

const std::string& byte_symbol(uint8_t byte) { return byte_tables().symbol[byte]; }

int symbol_byte(uint32_t cpt) { return cpt < 512 ? byte_tables().byte_of[cpt] : -1; }

}  // namespace slm::tok
