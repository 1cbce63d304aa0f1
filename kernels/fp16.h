// IEEE binary16 ("f16") and bfloat16 <-> binary32 conversions in portable scalar code.
// Every ggml format stores its scales in one of these, so these conversions must be
// exact and correctly rounded (round to nearest, ties to even) for our blocks to be
// byte-identical to ggml's. All functions are constexpr so tests can pin them down
// at compile time too.
#pragma once

#include <bit>
#include <cstdint>

namespace slm {

// Exact: every f16 value, subnormals and infinities included, is a float. NaNs keep
// their payload and come out quiet, as the F16C instruction vcvtph2ps makes them (so SIMD
// kernels agree with this bit for bit).
constexpr float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) {
    const uint32_t quiet = mantissa != 0 ? 0x400000u : 0u;
    return std::bit_cast<float>(sign | 0x7f800000u | quiet | (mantissa << 13));
  }
  // Rebias the exponent from 15 to 127.
  if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  if (mantissa == 0) return std::bit_cast<float>(sign);
  // Subnormal f16 (mantissa * 2^-24) is a normal float: shift the leading one into the
  // implicit-bit position, lowering the exponent once per shift from that of 2^-14.
  uint32_t f32_exponent = 113;
  while ((mantissa & 0x400u) == 0) {
    mantissa <<= 1;
    --f32_exponent;
  }
  return std::bit_cast<float>(sign | (f32_exponent << 23) | ((mantissa & 0x3ffu) << 13));
}

// Round to nearest even. Magnitudes from 65520 (halfway between 65504, the largest f16,
// and 2^16) round to infinity; NaN stays a quiet NaN keeping its top payload bits (what
// the F16C instruction vcvtps2ph does).
constexpr uint16_t f32_to_f16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (bits >> 16) & 0x8000u;
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  if (magnitude >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (magnitude >= 0x38800000u) {
    // Normal f16 result (from 2^-14). Adding just under half an f16 ulp, plus one when
    // the kept lsb is odd, makes the truncation below round to nearest even; a carry out
    // of the mantissa correctly bumps the exponent.
    const uint32_t rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((rounded - (112u << 23)) >> 13));
  }
  // At most 2^-25 (half the smallest subnormal, a tie that goes to the even zero): zero.
  if (magnitude <= 0x33000000u) return static_cast<uint16_t>(sign);
  // Subnormal result: express the 24-bit significand in units of 2^-24 and round the
  // dropped bits to nearest even. A result of 0x400 is the smallest normal, as it should be.
  const uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126u - (magnitude >> 23);  // 14..24 for exponents of 2^-25..2^-15
  uint32_t result = significand >> shift;
  const uint32_t dropped = significand & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1u);
  if (dropped > half || (dropped == half && (result & 1u) != 0)) ++result;
  return static_cast<uint16_t>(sign | result);
}

// bfloat16 is the upper half of a float, so widening is a shift.
constexpr float bf16_to_f32(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

// Round to nearest even, subnormals kept (not flushed). A NaN whose payload lives only in
// the dropped low half would truncate to infinity, so NaNs get the quiet bit forced on.
constexpr uint16_t f32_to_bf16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);
  return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

}  // namespace slm
