// Dequantization of hand-built blocks checked element by element against the formulas
// of ARCH_FACTS §1.4, written out here independently of kernels/quant_blocks.h (included
// only to check its scale packer against the same formulas). Scales
// are powers of two, so every expected value is exact whatever the order of operations.
// Each format gets random (seeded) bytes, which exercise every bit position, and the
// tricky bit fields also get a block with chosen bytes and literal expected values.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "kernels/quant_blocks.h"
#include "slm/ggml_type.h"
#include "slm/quant.h"

namespace slm {
namespace {

constexpr int kBlocks = 3;
// f16 bits of the scales put in block 0, 1, 2: 1.0, 0.5 and -2.0.
constexpr uint16_t kScaleBits[kBlocks] = {0x3C00, 0x3800, 0xC000};
constexpr float kScales[kBlocks] = {1.0f, 0.5f, -2.0f};
// Second f16 field (min, dmin, s): 0.25, -1.0, 4.0.
constexpr uint16_t kMinBits[kBlocks] = {0x3400, 0xBC00, 0x4400};
constexpr float kMins[kBlocks] = {0.25f, -1.0f, 4.0f};

constexpr int8_t kIq4Table[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

int lo(uint8_t b) { return b & 0xF; }
int hi(uint8_t b) { return b >> 4; }

// kBlocks blocks of `type` filled with seeded random bytes.
std::vector<uint8_t> random_blocks(GgmlType type, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(kBlocks * ggml_type_info(type).block_bytes);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng() & 0xFF);
  return bytes;
}

void put_u16(std::vector<uint8_t>& bytes, size_t offset, uint16_t value) {
  bytes[offset] = static_cast<uint8_t>(value & 0xFF);
  bytes[offset + 1] = static_cast<uint8_t>(value >> 8);
}

std::vector<float> dequantize(GgmlType type, const std::vector<uint8_t>& bytes) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  std::vector<float> out(bytes.size() / info.block_bytes * info.block_elems);
  dequantize_row(type, bytes.data(), out.data(), static_cast<int64_t>(out.size()));
  return out;
}

// Compares every element of every block with expected(block_bytes, block_index, element).
template <typename Expected>
void expect_blocks(GgmlType type, const std::vector<uint8_t>& bytes, Expected expected) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  const std::vector<float> values = dequantize(type, bytes);
  for (size_t block = 0; block < bytes.size() / info.block_bytes; ++block) {
    const uint8_t* b = bytes.data() + block * info.block_bytes;
    for (uint32_t e = 0; e < info.block_elems; ++e) {
      ASSERT_EQ(values[block * info.block_elems + e], expected(b, static_cast<int>(block), static_cast<int>(e)))
          << info.name << " block " << block << " element " << e;
    }
  }
}

// Random blocks with the f16 fields at the given offsets replaced by known scales.
std::vector<uint8_t> blocks_with_scales(GgmlType type, uint32_t seed, int scale_offset, int min_offset = -1) {
  std::vector<uint8_t> bytes = random_blocks(type, seed);
  const uint32_t block_bytes = ggml_type_info(type).block_bytes;
  for (int block = 0; block < kBlocks; ++block) {
    put_u16(bytes, block * block_bytes + scale_offset, kScaleBits[block]);
    if (min_offset >= 0) put_u16(bytes, block * block_bytes + min_offset, kMinBits[block]);
  }
  return bytes;
}

TEST(QuantBlocks, Q4_0) {
  // d at 0, qs at 2: element e < 16 is the low nibble of qs[e], e >= 16 the high nibble of qs[e - 16].
  const auto bytes = blocks_with_scales(GgmlType::Q4_0, 1, 0);
  expect_blocks(GgmlType::Q4_0, bytes, [](const uint8_t* b, int block, int e) {
    const int q = e < 16 ? lo(b[2 + e]) : hi(b[2 + e - 16]);
    return static_cast<float>(q - 8) * kScales[block];
  });
}

TEST(QuantBlocks, Q4_1) {
  const auto bytes = blocks_with_scales(GgmlType::Q4_1, 2, 0, 2);
  expect_blocks(GgmlType::Q4_1, bytes, [](const uint8_t* b, int block, int e) {
    const int q = e < 16 ? lo(b[4 + e]) : hi(b[4 + e - 16]);
    return static_cast<float>(q) * kScales[block] + kMins[block];
  });
}

// Bit e of the 32-bit little-endian qh at `offset` is the fifth bit of element e.
int q5_fifth_bit(const uint8_t* b, int offset, int e) { return (b[offset + e / 8] >> (e % 8)) & 1; }

TEST(QuantBlocks, Q5_0) {
  const auto bytes = blocks_with_scales(GgmlType::Q5_0, 3, 0);
  expect_blocks(GgmlType::Q5_0, bytes, [](const uint8_t* b, int block, int e) {
    const int nibble = e < 16 ? lo(b[6 + e]) : hi(b[6 + e - 16]);
    return static_cast<float>((nibble + 16 * q5_fifth_bit(b, 2, e)) - 16) * kScales[block];
  });
}

TEST(QuantBlocks, Q5_0HighBitsByHand) {
  std::vector<uint8_t> bytes(22, 0);
  put_u16(bytes, 0, 0x3C00);  // d = 1
  bytes[2] = 0x01;            // qh = 0x80000001: elements 0 and 31 have the fifth bit
  bytes[5] = 0x80;
  bytes[6 + 15] = 0x30;  // element 31's nibble (high nibble of qs[15]) = 3
  const std::vector<float> v = dequantize(GgmlType::Q5_0, bytes);
  EXPECT_EQ(v[0], 0.0f);    // 16 - 16
  EXPECT_EQ(v[1], -16.0f);  // 0 - 16
  EXPECT_EQ(v[16], -16.0f);
  EXPECT_EQ(v[31], 3.0f);  // (3 + 16) - 16
}

TEST(QuantBlocks, Q5_1) {
  const auto bytes = blocks_with_scales(GgmlType::Q5_1, 4, 0, 2);
  expect_blocks(GgmlType::Q5_1, bytes, [](const uint8_t* b, int block, int e) {
    const int nibble = e < 16 ? lo(b[8 + e]) : hi(b[8 + e - 16]);
    return static_cast<float>(nibble + 16 * q5_fifth_bit(b, 4, e)) * kScales[block] + kMins[block];
  });
}

TEST(QuantBlocks, Q8_0) {
  const auto bytes = blocks_with_scales(GgmlType::Q8_0, 5, 0);
  expect_blocks(GgmlType::Q8_0, bytes, [](const uint8_t* b, int block, int e) {
    return static_cast<float>(static_cast<int8_t>(b[2 + e])) * kScales[block];
  });
}

TEST(QuantBlocks, Q8_1) {
  // s (offset 2) only serves dot products; the values are qs * d.
  const auto bytes = blocks_with_scales(GgmlType::Q8_1, 6, 0, 2);
  expect_blocks(GgmlType::Q8_1, bytes, [](const uint8_t* b, int block, int e) {
    return static_cast<float>(static_cast<int8_t>(b[4 + e])) * kScales[block];
  });
}

// Q2_K and Q3_K element 128h + 32j + l: 2-bit plane j of qs[32h + l]; sub-block 8h + 2j + (l >= 16).
struct PlaneIndex {
  int h, j, l;
};
PlaneIndex plane_index(int e) { return {e / 128, (e % 128) / 32, e % 32}; }

TEST(QuantBlocks, Q2_K) {
  // scales at 0, qs at 16, d at 80, dmin at 82.
  const auto bytes = blocks_with_scales(GgmlType::Q2_K, 7, 80, 82);
  expect_blocks(GgmlType::Q2_K, bytes, [](const uint8_t* b, int block, int e) {
    const auto [h, j, l] = plane_index(e);
    const int q = (b[16 + 32 * h + l] >> (2 * j)) & 3;
    const uint8_t sb = b[8 * h + 2 * j + (l >= 16 ? 1 : 0)];
    return kScales[block] * static_cast<float>(lo(sb) * q) - kMins[block] * static_cast<float>(hi(sb));
  });
}

// The 16 signed Q3_K scales, case by case as ARCH_FACTS states them.
std::vector<int> q3_k_scales(const uint8_t* s) {
  std::vector<int> out(16);
  for (int k = 0; k < 4; ++k) {
    out[k] = (lo(s[k]) | (((s[8 + k] >> 0) & 3) << 4)) - 32;
    out[4 + k] = (lo(s[4 + k]) | (((s[8 + k] >> 2) & 3) << 4)) - 32;
    out[8 + k] = (hi(s[k]) | (((s[8 + k] >> 4) & 3) << 4)) - 32;
    out[12 + k] = (hi(s[4 + k]) | (((s[8 + k] >> 6) & 3) << 4)) - 32;
  }
  return out;
}

float q3_k_expected(const uint8_t* b, float d, int e) {
  // hmask at 0, qs at 32, scales at 96, d at 108.
  const auto [h, j, l] = plane_index(e);
  const int q2 = (b[32 + 32 * h + l] >> (2 * j)) & 3;
  const bool high_bit = ((b[l] >> (4 * h + j)) & 1) != 0;
  const int q3 = q2 - (high_bit ? 0 : 4);
  return d * static_cast<float>(q3_k_scales(b + 96)[8 * h + 2 * j + (l >= 16 ? 1 : 0)] * q3);
}

TEST(QuantBlocks, Q3_K) {
  const auto bytes = blocks_with_scales(GgmlType::Q3_K, 8, 108);
  expect_blocks(GgmlType::Q3_K, bytes,
                [](const uint8_t* b, int block, int e) { return q3_k_expected(b, kScales[block], e); });
}

TEST(QuantBlocks, Q3_KHighBitAndScalesByHand) {
  std::vector<uint8_t> bytes(110, 0);
  for (int l = 0; l < 32; ++l) bytes[l] = 0x0F;  // high bit set for the planes of half 0 only
  for (int i = 0; i < 64; ++i) bytes[32 + i] = 0xFF;  // every 2-bit level is 3
  for (int k = 0; k < 8; ++k) bytes[96 + k] = 0x21;  // low nibbles 1, high nibbles 2
  for (int k = 0; k < 4; ++k) bytes[104 + k] = 0xE4;  // top-bit fields 0, 1, 2, 3
  put_u16(bytes, 108, 0x3C00);
  const std::vector<float> v = dequantize(GgmlType::Q3_K, bytes);
  // Scales: s[0..3] = 1 - 32, s[4..7] = (1 | 16) - 32, s[8..11] = (2 | 32) - 32, s[12..15] = (2 | 48) - 32.
  EXPECT_EQ(v[0], -31.0f * 3);   // half 0: bit set, level 3
  EXPECT_EQ(v[100], -15.0f * 3);  // plane 3, l = 4: sub-block 6
  EXPECT_EQ(v[128], 2.0f * -1);  // half 1: bit clear, level 3 - 4
  EXPECT_EQ(v[255], 18.0f * -1);  // sub-block 15
}

// Q4_K/Q5_K (scale, min) of sub-block j, as ARCH_FACTS states the packing.
std::pair<int, int> k4_scale_min(const uint8_t* s, int j) {
  if (j < 4) return {s[j] & 63, s[j + 4] & 63};
  return {lo(s[j + 4]) | ((s[j - 4] >> 6) << 4), hi(s[j + 4]) | ((s[j] >> 6) << 4)};
}

TEST(QuantBlocks, Q4_K) {
  // d at 0, dmin at 2, scales at 4, qs at 16.
  const auto bytes = blocks_with_scales(GgmlType::Q4_K, 9, 0, 2);
  expect_blocks(GgmlType::Q4_K, bytes, [](const uint8_t* b, int block, int e) {
    const int g = e / 64;
    const int l = e % 32;
    const bool high_nibble = e % 64 >= 32;
    const auto [scale, min] = k4_scale_min(b + 4, 2 * g + (high_nibble ? 1 : 0));
    const int q = high_nibble ? hi(b[16 + 32 * g + l]) : lo(b[16 + 32 * g + l]);
    return kScales[block] * static_cast<float>(scale * q) - kMins[block] * static_cast<float>(min);
  });
}

TEST(QuantBlocks, Q4_KUpperScalesByHand) {
  std::vector<uint8_t> bytes(144, 0);
  put_u16(bytes, 0, 0x3C00);  // d = 1
  put_u16(bytes, 2, 0x3800);  // dmin = 0.5
  for (int j = 0; j < 4; ++j) {
    bytes[4 + j] = 0xC1;      // scale 1; top bits 3 belong to scale j + 4
    bytes[8 + j] = 0x82;      // min 2; top bits 2 belong to min j + 4
    bytes[12 + j] = 0x54;     // scale j + 4 low nibble 4, min j + 4 low nibble 5
  }
  for (int i = 0; i < 128; ++i) bytes[16 + i] = 0x73;  // low nibbles 3, high nibbles 7
  const std::vector<float> v = dequantize(GgmlType::Q4_K, bytes);
  EXPECT_EQ(v[0], 1.0f * 3 - 0.5f * 2);     // sub-block 0: scale 1, min 2
  EXPECT_EQ(v[32], 1.0f * 7 - 0.5f * 2);    // sub-block 1 (high nibbles)
  EXPECT_EQ(v[128], 52.0f * 3 - 0.5f * 37);  // sub-block 4: scale 4 | 3 << 4, min 5 | 2 << 4
  EXPECT_EQ(v[255], 52.0f * 7 - 0.5f * 37);  // sub-block 7
}

// The packer the quantizers (and later kernels) share, against the layout above.
TEST(QuantBlocks, Q4_KScaleMinPackingMatchesLayout) {
  std::mt19937 rng(15);
  for (int trial = 0; trial < 1000; ++trial) {
    uint8_t scales[8];
    uint8_t mins[8];
    for (int j = 0; j < 8; ++j) {
      scales[j] = static_cast<uint8_t>(rng() % 64);
      mins[j] = static_cast<uint8_t>(rng() % 64);
    }
    uint8_t packed[12];
    pack_scale_min_k4(scales, mins, packed);
    for (int j = 0; j < 8; ++j) {
      ASSERT_EQ(k4_scale_min(packed, j), std::make_pair(int{scales[j]}, int{mins[j]})) << "sub-block " << j;
      ASSERT_EQ(unpack_scale_min_k4(packed, j).scale, scales[j]);
      ASSERT_EQ(unpack_scale_min_k4(packed, j).min, mins[j]);
    }
  }
}

TEST(QuantBlocks, Q5_K) {
  // d at 0, dmin at 2, scales at 4, qh at 16, qs at 48.
  const auto bytes = blocks_with_scales(GgmlType::Q5_K, 10, 0, 2);
  expect_blocks(GgmlType::Q5_K, bytes, [](const uint8_t* b, int block, int e) {
    const int g = e / 64;
    const int l = e % 32;
    const bool high_nibble = e % 64 >= 32;
    const auto [scale, min] = k4_scale_min(b + 4, 2 * g + (high_nibble ? 1 : 0));
    const int nibble = high_nibble ? hi(b[48 + 32 * g + l]) : lo(b[48 + 32 * g + l]);
    const int bit = (b[16 + l] >> (2 * g + (high_nibble ? 1 : 0))) & 1;
    return kScales[block] * static_cast<float>(scale * (nibble + 16 * bit)) -
           kMins[block] * static_cast<float>(min);
  });
}

// Q6_K element in half h, quarter k (32 elements), position l, as ARCH_FACTS lists the cases.
float q6_k_expected(const uint8_t* b, float d, int e) {
  // ql at 0, qh at 128, scales at 192, d at 208.
  const int h = e / 128;
  const int k = (e % 128) / 32;
  const int l = e % 32;
  const uint8_t* ql = b + 64 * h;
  const uint8_t qh = b[128 + 32 * h + l];
  int q = 0;
  if (k == 0) q = lo(ql[l]) | (((qh >> 0) & 3) << 4);
  if (k == 1) q = lo(ql[l + 32]) | (((qh >> 2) & 3) << 4);
  if (k == 2) q = hi(ql[l]) | (((qh >> 4) & 3) << 4);
  if (k == 3) q = hi(ql[l + 32]) | (((qh >> 6) & 3) << 4);
  const int scale = static_cast<int8_t>(b[192 + 8 * h + 2 * k + l / 16]);
  return d * static_cast<float>(scale * (q - 32));
}

TEST(QuantBlocks, Q6_K) {
  const auto bytes = blocks_with_scales(GgmlType::Q6_K, 11, 208);
  expect_blocks(GgmlType::Q6_K, bytes,
                [](const uint8_t* b, int block, int e) { return q6_k_expected(b, kScales[block], e); });
}

TEST(QuantBlocks, Q6_KSignedScalesByHand) {
  std::vector<uint8_t> bytes(210, 0);
  for (int i = 0; i < 128; ++i) bytes[i] = 0xF0;  // low nibbles 0, high nibbles 15
  for (int i = 0; i < 64; ++i) bytes[128 + i] = 0xE4;  // quarter k gets high bits k
  const int8_t scales[16] = {-128, 127, -1, 5, 0, 1, 2, 3, 4, 5, 6, 7, -8, -9, -10, -11};
  std::memcpy(bytes.data() + 192, scales, 16);
  put_u16(bytes, 208, 0x3800);  // d = 0.5
  const std::vector<float> v = dequantize(GgmlType::Q6_K, bytes);
  EXPECT_EQ(v[0], 0.5f * -128 * (0 - 32));    // quarter 0: q = 0
  EXPECT_EQ(v[16], 0.5f * 127 * (0 - 32));    // sub-block 1
  EXPECT_EQ(v[32], 0.5f * -1 * (16 - 32));    // quarter 1: q = 0 | 1 << 4
  EXPECT_EQ(v[64], 0.5f * 0 * (47 - 32));     // quarter 2: q = 15 | 2 << 4
  EXPECT_EQ(v[96], 0.5f * 2 * (63 - 32));     // quarter 3: q = 15 | 3 << 4
  EXPECT_EQ(v[255], 0.5f * -11 * (63 - 32));  // half 1, quarter 3, sub-block 15
}

TEST(QuantBlocks, Q8_K) {
  // d is an f32 at 0, qs at 4; the bsums at 260 do not affect the values.
  auto bytes = random_blocks(GgmlType::Q8_K, 12);
  for (int block = 0; block < kBlocks; ++block) {
    std::memcpy(bytes.data() + block * 292, &kScales[block], sizeof(float));
  }
  expect_blocks(GgmlType::Q8_K, bytes, [](const uint8_t* b, int block, int e) {
    return kScales[block] * static_cast<float>(static_cast<int8_t>(b[4 + e]));
  });
}

TEST(QuantBlocks, Iq4Nl) {
  const auto bytes = blocks_with_scales(GgmlType::IQ4_NL, 13, 0);
  expect_blocks(GgmlType::IQ4_NL, bytes, [](const uint8_t* b, int block, int e) {
    const int index = e < 16 ? lo(b[2 + e]) : hi(b[2 + e - 16]);
    return kScales[block] * static_cast<float>(kIq4Table[index]);
  });
}

// IQ4_XS sub-block ib's signed scale: a nibble of scales_l (at 4) and 2 bits of scales_h (at 2).
int iq4_xs_scale_expected(const uint8_t* b, int ib) {
  const int scales_h = b[2] | (b[3] << 8);
  const int low = ib % 2 == 0 ? lo(b[4 + ib / 2]) : hi(b[4 + ib / 2]);
  return (low | (((scales_h >> (2 * ib)) & 3) << 4)) - 32;
}

TEST(QuantBlocks, Iq4Xs) {
  // qs at 8: sub-block ib uses qs[16 ib .. 16 ib + 15], low nibbles first.
  const auto bytes = blocks_with_scales(GgmlType::IQ4_XS, 14, 0);
  expect_blocks(GgmlType::IQ4_XS, bytes, [](const uint8_t* b, int block, int e) {
    const int ib = e / 32;
    const int j = e % 32;
    const uint8_t byte = b[8 + 16 * ib + j % 16];
    const int index = j < 16 ? lo(byte) : hi(byte);
    return kScales[block] * static_cast<float>(iq4_xs_scale_expected(b, ib) * kIq4Table[index]);
  });
}

TEST(QuantBlocks, Iq4XsScalesByHand) {
  std::vector<uint8_t> bytes(136, 0);
  put_u16(bytes, 0, 0x3C00);
  put_u16(bytes, 2, 0xE4E4);  // 2-bit fields 0, 1, 2, 3, 0, 1, 2, 3
  const uint8_t scales_l[4] = {0x0F, 0xF0, 0x5A, 0xA5};
  std::memcpy(bytes.data() + 4, scales_l, 4);
  for (int i = 0; i < 128; ++i) bytes[8 + i] = 0x8F;  // low nibble 15 (113), high 8 (1)
  const std::vector<float> v = dequantize(GgmlType::IQ4_XS, bytes);
  EXPECT_EQ(v[0], -17.0f * 113);  // ib 0: 15 | 0 << 4, minus 32
  EXPECT_EQ(v[16], -17.0f * 1);
  EXPECT_EQ(v[32], -16.0f * 113);   // ib 1: 0 | 1 << 4
  EXPECT_EQ(v[64], 0.0f);           // ib 2: 0 | 2 << 4
  EXPECT_EQ(v[96], 31.0f * 113);    // ib 3: 15 | 3 << 4
  EXPECT_EQ(v[128], -22.0f * 113);  // ib 4: 10 | 0 << 4
  EXPECT_EQ(v[255], 26.0f * 1);     // ib 7: 10 | 3 << 4
}

TEST(QuantBlocks, FloatTypes) {
  const std::vector<uint8_t> f16 = {0x00, 0x3C, 0x01, 0x80, 0x00, 0x7C, 0xFF, 0x7B};
  EXPECT_EQ(dequantize(GgmlType::F16, f16), (std::vector<float>{1.0f, -0x1p-24f, std::numeric_limits<float>::infinity(), 65504.0f}));
  const std::vector<uint8_t> bf16 = {0x80, 0x3F, 0x00, 0xC0, 0x01, 0x00};
  EXPECT_EQ(dequantize(GgmlType::BF16, bf16), (std::vector<float>{1.0f, -2.0f, 0x1p-133f}));
  std::vector<uint8_t> f32(8);
  const float values[2] = {3.5f, -0.0f};
  std::memcpy(f32.data(), values, sizeof(values));
  const std::vector<float> out = dequantize(GgmlType::F32, f32);
  EXPECT_EQ(std::memcmp(out.data(), values, sizeof(values)), 0);
}

}  // namespace
}  // namespace slm
