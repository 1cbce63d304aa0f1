// slm/quant.h: argument checks and per-type dispatch, plus the float types and the
// 32-element formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1). Their quantizers follow
// ggml's reference rules exactly (same float operations in the same order), so model
// files and activations we produce are byte-identical to ggml's; the dequantizers
// evaluate the same expressions as ggml, so they are bit-identical too.
#include "slm/quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"
#include "kernels/quant_ref_rows.h"
#include "slm/error.h"

namespace slm {

namespace quant_ref {
namespace {

constexpr int kHalf = kQK / 2;

void dequantize_f32(const uint8_t* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void quantize_f32(const float* src, uint8_t* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void dequantize_f16(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(load_block<uint16_t>(src, i));
}

void quantize_f16(const float* src, uint8_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) store_block(f32_to_f16(src[i]), dst, i);
}

void dequantize_bf16(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(load_block<uint16_t>(src, i));
}

void quantize_bf16(const float* src, uint8_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) store_block(f32_to_bf16(src[i]), dst, i);
}

// The 5-bit level of element e of a Q5_0/Q5_1 block: nibble plus bit e of qh.
int q5_level(const uint8_t* qs, const uint8_t* qh, int e) {
  uint32_t high_bits;
  std::memcpy(&high_bits, qh, sizeof(high_bits));
  const int nibble = e < kHalf ? qs[e] & 0xF : qs[e - kHalf] >> 4;
  return nibble | static_cast<int>(((high_bits >> e) & 1u) << 4);
}

// Packs 32 5-bit levels: low nibbles as Q4_0, fifth bits into qh (bit e for element e).
void pack_q5_levels(const int* levels, uint8_t* qs, uint8_t* qh) {
  uint32_t high_bits = 0;
  for (int j = 0; j < kHalf; ++j) {
    qs[j] = static_cast<uint8_t>((levels[j] & 0xF) | ((levels[j + kHalf] & 0xF) << 4));
  }
  for (int e = 0; e < kQK; ++e) high_bits |= static_cast<uint32_t>((levels[e] >> 4) & 1) << e;
  std::memcpy(qh, &high_bits, sizeof(high_bits));
}

// ggml's weight quantizers pick a level by truncating (value + offset + 0.5) toward zero,
// then cap it at the top level; the argument is never negative there.
int truncated_level(float v, int top) { return std::min(top, static_cast<int>(v)); }

void dequantize_q4_0(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q4_0>(src, i);
    const float d = f16_to_f32(block.d);
    float* y = dst + i * kQK;
    for (int j = 0; j < kHalf; ++j) {
      y[j] = static_cast<float>((block.qs[j] & 0xF) - 8) * d;
      y[j + kHalf] = static_cast<float>((block.qs[j] >> 4) - 8) * d;
    }
  }
}

// d = -max / 8 where max is the signed element of largest magnitude, so that element
// lands exactly on level 0 (value -8 d) and the other sign gets levels up to +7 d.
void quantize_q4_0(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const float* x = src + i * kQK;
    const float d = signed_absmax(x, kQK) / -8.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    block_q4_0 block{};
    block.d = f32_to_f16(d);
    for (int j = 0; j < kHalf; ++j) {
      const int low = truncated_level(x[j] * inverse + 8.5f, 15);
      const int high = truncated_level(x[j + kHalf] * inverse + 8.5f, 15);
      block.qs[j] = static_cast<uint8_t>(low | (high << 4));
    }
    store_block(block, dst, i);
  }
}

void dequantize_q4_1(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q4_1>(src, i);
    const float d = f16_to_f32(block.d);
    const float m = f16_to_f32(block.m);
    float* y = dst + i * kQK;
    for (int j = 0; j < kHalf; ++j) {
      y[j] = static_cast<float>(block.qs[j] & 0xF) * d + m;
      y[j + kHalf] = static_cast<float>(block.qs[j] >> 4) * d + m;
    }
  }
}

// The block's [min, max] split into 15 equal steps.
void quantize_q4_1(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const float* x = src + i * kQK;
    const auto [min, max] = std::minmax_element(x, x + kQK);
    const float d = (*max - *min) / 15.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    block_q4_1 block{};
    block.d = f32_to_f16(d);
    block.m = f32_to_f16(*min);
    for (int j = 0; j < kHalf; ++j) {
      const int low = truncated_level((x[j] - *min) * inverse + 0.5f, 15);
      const int high = truncated_level((x[j + kHalf] - *min) * inverse + 0.5f, 15);
      block.qs[j] = static_cast<uint8_t>(low | (high << 4));
    }
    store_block(block, dst, i);
  }
}

void dequantize_q5_0(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q5_0>(src, i);
    const float d = f16_to_f32(block.d);
    float* y = dst + i * kQK;
    for (int e = 0; e < kQK; ++e) y[e] = static_cast<float>(q5_level(block.qs, block.qh, e) - 16) * d;
  }
}

// As Q4_0 with 32 levels: d = -max / 16.
void quantize_q5_0(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const float* x = src + i * kQK;
    const float d = signed_absmax(x, kQK) / -16.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    int levels[kQK];
    for (int e = 0; e < kQK; ++e) levels[e] = truncated_level(x[e] * inverse + 16.5f, 31);
    block_q5_0 block{};
    block.d = f32_to_f16(d);
    pack_q5_levels(levels, block.qs, block.qh);
    store_block(block, dst, i);
  }
}

void dequantize_q5_1(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q5_1>(src, i);
    const float d = f16_to_f32(block.d);
    const float m = f16_to_f32(block.m);
    float* y = dst + i * kQK;
    for (int e = 0; e < kQK; ++e) y[e] = static_cast<float>(q5_level(block.qs, block.qh, e)) * d + m;
  }
}

// As Q4_1 with 31 steps. (ggml omits the cap at 31 here; it never binds.)
void quantize_q5_1(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const float* x = src + i * kQK;
    const auto [min, max] = std::minmax_element(x, x + kQK);
    const float d = (*max - *min) / 31.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    int levels[kQK];
    for (int e = 0; e < kQK; ++e) levels[e] = truncated_level((x[e] - *min) * inverse + 0.5f, 31);
    block_q5_1 block{};
    block.d = f32_to_f16(d);
    block.m = f32_to_f16(*min);
    pack_q5_levels(levels, block.qs, block.qh);
    store_block(block, dst, i);
  }
}

void dequantize_q8_0(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q8_0>(src, i);
    const float d = f16_to_f32(block.d);
    for (int e = 0; e < kQK; ++e) dst[i * kQK + e] = static_cast<float>(block.qs[e]) * d;
  }
}

// d = max|x| / 127 and q = round(x / d), rounding halves away from zero (std::round, as
// ggml's roundf). q is computed with the f32 d, not the stored f16 one: the rule that
// makes our activations identical to ggml's.
float quantize_q8_levels(const float* x, int8_t* qs) {
  float amax = 0.0f;
  for (int e = 0; e < kQK; ++e) amax = std::max(amax, std::fabs(x[e]));
  const float d = amax / 127.0f;
  const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
  for (int e = 0; e < kQK; ++e) qs[e] = static_cast<int8_t>(std::round(x[e] * inverse));
  return d;
}

void quantize_q8_0(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    block_q8_0 block{};
    block.d = f32_to_f16(quantize_q8_levels(src + i * kQK, block.qs));
    store_block(block, dst, i);
  }
}

void dequantize_q8_1(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const auto block = load_block<block_q8_1>(src, i);
    const float d = f16_to_f32(block.d);
    for (int e = 0; e < kQK; ++e) dst[i * kQK + e] = static_cast<float>(block.qs[e]) * d;
  }
}

// Q8_0's rule plus s = sum(q) * d, again with the f32 d.
void quantize_q8_1(const float* src, uint8_t* dst, int64_t n_blocks) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    block_q8_1 block{};
    const float d = quantize_q8_levels(src + i * kQK, block.qs);
    int sum = 0;
    for (int e = 0; e < kQK; ++e) sum += block.qs[e];
    block.d = f32_to_f16(d);
    block.s = f32_to_f16(static_cast<float>(sum) * d);
    store_block(block, dst, i);
  }
}

using DequantizeBlocks = void (*)(const uint8_t* src, float* dst, int64_t n_blocks);
using QuantizeBlocks = void (*)(const float* src, uint8_t* dst, int64_t n_blocks);

struct Codec {
  GgmlType type;
  DequantizeBlocks dequantize;
  QuantizeBlocks quantize;  // null: no quantizer for this type
};

constexpr Codec kCodecs[] = {
    {GgmlType::F32, dequantize_f32, quantize_f32},
    {GgmlType::F16, dequantize_f16, quantize_f16},
    {GgmlType::BF16, dequantize_bf16, quantize_bf16},
    {GgmlType::Q4_0, dequantize_q4_0, quantize_q4_0},
    {GgmlType::Q4_1, dequantize_q4_1, quantize_q4_1},
    {GgmlType::Q5_0, dequantize_q5_0, quantize_q5_0},
    {GgmlType::Q5_1, dequantize_q5_1, quantize_q5_1},
    {GgmlType::Q8_0, dequantize_q8_0, quantize_q8_0},
    {GgmlType::Q8_1, dequantize_q8_1, quantize_q8_1},
    {GgmlType::Q2_K, dequantize_q2_K, quantize_q2_K},
    {GgmlType::Q3_K, dequantize_q3_K, quantize_q3_K},
    {GgmlType::Q4_K, dequantize_q4_K, quantize_q4_K},
    {GgmlType::Q5_K, dequantize_q5_K, quantize_q5_K},
    {GgmlType::Q6_K, dequantize_q6_K, quantize_q6_K},
    {GgmlType::Q8_K, dequantize_q8_K, quantize_q8_K},
    {GgmlType::IQ4_NL, dequantize_iq4_nl, quantize_iq4_nl},
    {GgmlType::IQ4_XS, dequantize_iq4_xs, quantize_iq4_xs},
};

const Codec* find_codec(GgmlType type) {
  for (const Codec& codec : kCodecs) {
    if (codec.type == type) return &codec;
  }
  return nullptr;
}

std::string type_label(GgmlType type) {
  const GgmlTypeInfo* info = ggml_type_info(static_cast<uint32_t>(type));
  return info != nullptr ? info->name : "type id " + std::to_string(static_cast<uint32_t>(type));
}

// Blocks in n elements of `type`; throws unless n is a non-negative multiple of the block.
int64_t block_count(GgmlType type, int64_t n, const char* action) {
  const int64_t block_elems = ggml_type_info(type).block_elems;
  if (n < 0 || n % block_elems != 0) {
    throw Error(std::string("cannot ") + action + " " + std::to_string(n) + " elements of " + type_label(type) +
                ": not a multiple of its block size " + std::to_string(block_elems));
  }
  return n / block_elems;
}

}  // namespace
}  // namespace quant_ref

bool can_dequantize(GgmlType type) { return quant_ref::find_codec(type) != nullptr; }

bool can_quantize(GgmlType type) {
  const quant_ref::Codec* codec = quant_ref::find_codec(type);
  return codec != nullptr && codec->quantize != nullptr;
}

// Zero elements return before the codec: callers may pass null buffers then, which
// memcpy would not accept even for zero bytes.
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n) {
  const quant_ref::Codec* codec = quant_ref::find_codec(type);
  if (codec == nullptr) throw Error("dequantization of " + quant_ref::type_label(type) + " is not supported");
  const int64_t n_blocks = quant_ref::block_count(type, n, "dequantize");
  if (n_blocks > 0) codec->dequantize(static_cast<const uint8_t*>(src), dst, n_blocks);
}

void quantize_row(GgmlType type, const float* src, void* dst, int64_t n) {
  if (!can_quantize(type)) throw Error("quantization to " + quant_ref::type_label(type) + " is not supported");
  const int64_t n_blocks = quant_ref::block_count(type, n, "quantize");
  if (n_blocks > 0) quant_ref::find_codec(type)->quantize(src, static_cast<uint8_t*>(dst), n_blocks);
}

}  // namespace slm
