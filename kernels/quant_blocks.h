// Byte layouts of the ggml quantized blocks (facts: ../shared/docs/ARCH_FACTS.md §1.4),
// the IQ4 value table, and the small bit-unpacking helpers that every kernel (scalar
// reference or SIMD) needs to agree on. Half-precision fields are raw uint16_t bits
// (see fp16.h); all multi-byte fields are little-endian, like the host.
#pragma once

#include <cstdint>

namespace slm {

inline constexpr int kQK = 32;     // elements in a Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, IQ4_NL block
inline constexpr int kQK_K = 256;  // elements in a K-quant or IQ4_XS super-block

// value = (q - 8) * d, q a nibble: element e < 16 in the low nibble of qs[e], e >= 16 in
// the high nibble of qs[e - 16].
struct block_q4_0 {
  uint16_t d;
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(block_q4_0) == 18);

// value = q * d + m, nibbles as in Q4_0.
struct block_q4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(block_q4_1) == 20);

// value = (q - 16) * d, q = nibble (as Q4_0) | bit e of the little-endian u32 qh << 4.
struct block_q5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(block_q5_0) == 22);

// value = q * d + m, q as in Q5_0.
struct block_q5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(block_q5_1) == 24);

// value = qs[e] * d.
struct block_q8_0 {
  uint16_t d;
  int8_t qs[kQK];
};
static_assert(sizeof(block_q8_0) == 34);

// As Q8_0 plus s = d * sum(qs), which dot products with Q4_1/Q5_1 use for the min term.
struct block_q8_1 {
  uint16_t d;
  uint16_t s;
  int8_t qs[kQK];
};
static_assert(sizeof(block_q8_1) == 36);

// 16 sub-blocks of 16: scales[i] = 4-bit scale (low) | 4-bit min (high); 2-bit quants.
struct block_q2_K {
  uint8_t scales[kQK_K / 16];
  uint8_t qs[kQK_K / 4];
  uint16_t d;
  uint16_t dmin;
};
static_assert(sizeof(block_q2_K) == 84);

// 2-bit quants as Q2_K plus a high bit per element in hmask; 16 signed 6-bit scales.
struct block_q3_K {
  uint8_t hmask[kQK_K / 8];
  uint8_t qs[kQK_K / 4];
  uint8_t scales[12];
  uint16_t d;
};
static_assert(sizeof(block_q3_K) == 110);

// 8 sub-blocks of 32: 6-bit scale and min each (packed, see unpack_scale_min_k4); nibbles.
struct block_q4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(block_q4_K) == 144);

// Q4_K plus a fifth bit per element in qh.
struct block_q5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(block_q5_K) == 176);

// 16 sub-blocks of 16 with signed 8-bit scales; 6-bit quants split into ql (low 4) and
// qh (high 2), value = d * scale * (q - 32).
struct block_q6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;
};
static_assert(sizeof(block_q6_K) == 210);

// Activation-only type: f32 scale, value = qs * d, bsums[k] = sum of qs[16k .. 16k+15].
struct block_q8_K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];
};
static_assert(sizeof(block_q8_K) == 292);

// value = d * kIq4nlValues[nibble], nibbles laid out as Q4_0.
struct block_iq4_nl {
  uint16_t d;
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(block_iq4_nl) == 18);

// 8 sub-blocks of 32, each an IQ4_NL block whose scale is d * (6-bit scale - 32).
struct block_iq4_xs {
  uint16_t d;
  uint16_t scales_h;
  uint8_t scales_l[kQK_K / 64];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(block_iq4_xs) == 136);

// The 16 levels of IQ4_NL / IQ4_XS, denser near zero where weights are.
inline constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

struct ScaleMin {
  uint8_t scale;
  uint8_t min;
};

// Q4_K / Q5_K: the 6-bit (scale, min) of sub-block j (0..7) from the 12 packed bytes.
// Bytes 0..3 hold scales 0..3 and bytes 4..7 mins 0..3 in their low 6 bits; sub-blocks
// 4..7 keep their low 4 bits in the nibbles of bytes 8..11 and their top 2 bits in the
// spare top bits of bytes 0..7.
constexpr ScaleMin unpack_scale_min_k4(const uint8_t* packed, int j) {
  if (j < 4) return {static_cast<uint8_t>(packed[j] & 63), static_cast<uint8_t>(packed[j + 4] & 63)};
  return {static_cast<uint8_t>((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4)),
          static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4))};
}

// Inverse of unpack_scale_min_k4; every value must be below 64.
constexpr void pack_scale_min_k4(const uint8_t* scales, const uint8_t* mins, uint8_t* packed) {
  for (int j = 0; j < 4; ++j) {
    packed[j] = static_cast<uint8_t>(scales[j] | ((scales[j + 4] >> 4) << 6));
    packed[j + 4] = static_cast<uint8_t>(mins[j] | ((mins[j + 4] >> 4) << 6));
    packed[j + 8] = static_cast<uint8_t>((scales[j + 4] & 0xF) | ((mins[j + 4] & 0xF) << 4));
  }
}

// Levels of element e (0..255) in the 2-bit planes shared by Q2_K and Q3_K: each half of
// 128 elements uses 32 bytes, and four 2-bit planes of them cover 32 elements each.
constexpr int two_bit_plane_level(const uint8_t* qs, int e) {
  const int half = e / 128;
  const int plane = (e % 128) / 32;
  return (qs[32 * half + e % 32] >> (2 * plane)) & 3;
}

// Nibble of element e in Q4_K/Q5_K: groups of 64 share 32 bytes, low nibbles first.
constexpr int k4_nibble(const uint8_t* qs, int e) {
  const uint8_t byte = qs[32 * (e / 64) + e % 32];
  return (e % 64) < 32 ? byte & 0xF : byte >> 4;
}

// Q6_K 6-bit level of element e: each half of 128 uses 64 ql bytes and 32 qh bytes; the
// quarter k (32 elements) takes low/high nibbles of ql[l] / ql[l + 32] and 2-bit field k of qh.
constexpr int q6_k_level(const block_q6_K& block, int e) {
  const int half = e / 128;
  const int quarter = (e % 128) / 32;
  const int l = e % 32;
  const uint8_t low_byte = block.ql[64 * half + l + 32 * (quarter % 2)];
  const int low = quarter < 2 ? low_byte & 0xF : low_byte >> 4;
  const int high = (block.qh[32 * half + l] >> (2 * quarter)) & 3;
  return low | (high << 4);
}

// Q3_K: signed scale of sub-block k (0..15), in [-32, 31]. The low 4 bits are nibbles
// of bytes 0..7 (low nibbles for k < 8, high for k >= 8); the top 2 bits are 2-bit
// fields of bytes 8..11 (byte 8 + k % 4, field k / 4).
constexpr int q3_k_scale(const uint8_t* packed, int k) {
  const int low = k < 8 ? packed[k] & 0xF : packed[k - 8] >> 4;
  const int high = (packed[8 + k % 4] >> (2 * (k / 4))) & 3;
  return (low | (high << 4)) - 32;
}

// IQ4_XS: signed scale of sub-block ib (0..7), in [-32, 31]: a nibble of scales_l plus
// two bits of scales_h.
constexpr int iq4_xs_scale(const block_iq4_xs& block, int ib) {
  const int low = (block.scales_l[ib / 2] >> (4 * (ib % 2))) & 0xF;
  const int high = (block.scales_h >> (2 * ib)) & 3;
  return (low | (high << 4)) - 32;
}

}  // namespace slm
