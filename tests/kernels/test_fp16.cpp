// f16 / bf16 conversions (kernels/fp16.h): exact widening, exact round trips of every
// representable value, and round-to-nearest-even narrowing checked against the
// definition (nearest neighbour, ties to the even mantissa) rather than another
// implementation.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "kernels/fp16.h"

namespace slm {
namespace {

static_assert(f16_to_f32(0x3C00) == 1.0f);
static_assert(f16_to_f32(0xC000) == -2.0f);
static_assert(f16_to_f32(0x7BFF) == 65504.0f);
static_assert(f16_to_f32(0x0001) == 0x1p-24f);
static_assert(f32_to_f16(1.0f) == 0x3C00);
static_assert(f32_to_f16(65520.0f) == 0x7C00);
static_assert(bf16_to_f32(0x3F80) == 1.0f);
static_assert(f32_to_bf16(1.0f) == 0x3F80);

bool f16_is_nan(uint16_t h) { return (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0; }
bool bf16_is_nan(uint16_t h) { return (h & 0x7F80) == 0x7F80 && (h & 0x7F) != 0; }

// The value of an f16 from its fields, computed in double (exact for every f16).
double f16_value_by_definition(uint16_t h) {
  const int exponent = (h >> 10) & 0x1F;
  const int mantissa = h & 0x3FF;
  const double sign = (h & 0x8000) != 0 ? -1.0 : 1.0;
  if (exponent == 0x1F) return sign * std::numeric_limits<double>::infinity();
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

TEST(Fp16, WidensEveryValueExactly) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto h = static_cast<uint16_t>(bits);
    const float f = f16_to_f32(h);
    if (f16_is_nan(h)) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << bits;
      // Payload kept, quiet bit set.
      EXPECT_EQ((std::bit_cast<uint32_t>(f) >> 13) & 0x3FF, (bits & 0x3FF) | 0x200) << "payload of " << std::hex << bits;
      EXPECT_EQ(std::signbit(f), (bits & 0x8000) != 0);
    } else {
      ASSERT_EQ(static_cast<double>(f), f16_value_by_definition(h)) << std::hex << bits;
      ASSERT_EQ(std::signbit(f), (bits & 0x8000) != 0) << std::hex << bits;
    }
  }
}

TEST(Fp16, RoundTripsEveryValue) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto h = static_cast<uint16_t>(bits);
    const uint16_t back = f32_to_f16(f16_to_f32(h));
    if (f16_is_nan(h)) {
      EXPECT_TRUE(f16_is_nan(back)) << std::hex << bits;
      EXPECT_NE(back & 0x200, 0) << "NaN not quiet for " << std::hex << bits;
    } else {
      ASSERT_EQ(back, h) << std::hex << bits;
    }
  }
}

// Between each pair of adjacent finite f16 values: the exact midpoint goes to the one
// with the even mantissa, and one float ulp either side of it to the nearer one.
TEST(Fp16, RoundsMidpointsToEvenAndNeighboursToNearest) {
  for (uint16_t sign : {uint16_t{0}, uint16_t{0x8000}}) {
    for (uint16_t low = 0; low < 0x7BFF; ++low) {
      const auto a = static_cast<uint16_t>(sign | low);
      const auto b = static_cast<uint16_t>(sign | (low + 1));
      const float mid = static_cast<float>((f16_value_by_definition(a) + f16_value_by_definition(b)) / 2);
      ASSERT_EQ(static_cast<double>(mid), (f16_value_by_definition(a) + f16_value_by_definition(b)) / 2);
      const uint16_t even = (a & 1) == 0 ? a : b;
      ASSERT_EQ(f32_to_f16(mid), even) << std::hex << a;
      const float toward_a = std::nextafter(mid, f16_to_f32(a));
      const float toward_b = std::nextafter(mid, f16_to_f32(b));
      ASSERT_EQ(f32_to_f16(toward_a), a) << std::hex << a;
      ASSERT_EQ(f32_to_f16(toward_b), b) << std::hex << a;
    }
  }
}

TEST(Fp16, OverflowUnderflowAndNan) {
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7BFF);
  EXPECT_EQ(f32_to_f16(std::nextafter(65520.0f, 0.0f)), 0x7BFF);
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7C00);  // the tie goes to the even "mantissa": infinity
  EXPECT_EQ(f32_to_f16(-1e9f), 0xFC00);
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(f32_to_f16(0x1p-25f), 0x0000);  // half the smallest subnormal: tie to even zero
  EXPECT_EQ(f32_to_f16(std::nextafter(0x1p-25f, 1.0f)), 0x0001);
  EXPECT_EQ(f32_to_f16(3 * 0x1p-25f), 0x0002);  // tie between 1 and 2 units: even
  EXPECT_EQ(f32_to_f16(-0x1p-30f), 0x8000);
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(f32_to_f16(std::nextafter(0x1p-14f, 0.0f)), 0x0400);  // rounds up to the smallest normal
  EXPECT_TRUE(f16_is_nan(f32_to_f16(std::numeric_limits<float>::quiet_NaN())));
  // A NaN whose payload is only in the low bits that f16 drops must not become infinity.
  EXPECT_TRUE(f16_is_nan(f32_to_f16(std::bit_cast<float>(0x7F800001u))));
  EXPECT_EQ(f32_to_f16(std::bit_cast<float>(0xFFC00000u)), 0xFE00);
}

// Random floats across the whole f16 range: the result is a nearest f16.
TEST(Fp16, RandomFloatsRoundToNearest) {
  std::mt19937 rng(1234);
  // From 2^-31 to just below 65520, where rounding goes to infinity (tested above).
  std::uniform_int_distribution<uint32_t> magnitude(0x30000000u, 0x477FEFFFu);
  for (int i = 0; i < 200000; ++i) {
    const uint32_t bits = magnitude(rng) | ((i & 1) != 0 ? 0x80000000u : 0u);
    const float x = std::bit_cast<float>(bits);
    const uint16_t h = f32_to_f16(x);
    const double error = std::fabs(f16_value_by_definition(h) - x);
    // The neighbours one f16 ulp away in magnitude (ignoring those past infinity).
    for (int step : {-1, 1}) {
      const int neighbour_magnitude = (h & 0x7FFF) + step;
      if (neighbour_magnitude < 0 || neighbour_magnitude > 0x7BFF) continue;
      const auto neighbour = static_cast<uint16_t>((h & 0x8000) | neighbour_magnitude);
      const double neighbour_error = std::fabs(f16_value_by_definition(neighbour) - x);
      ASSERT_LE(error, neighbour_error) << std::hex << bits;
      if (error == neighbour_error) {
        ASSERT_EQ(h & 1, 0) << "tie not to even " << std::hex << bits;
      }
    }
  }
}

TEST(Bf16, RoundTripsEveryValue) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto h = static_cast<uint16_t>(bits);
    const float f = bf16_to_f32(h);
    ASSERT_EQ(std::bit_cast<uint32_t>(f), bits << 16);
    if (bf16_is_nan(h)) {
      EXPECT_TRUE(bf16_is_nan(f32_to_bf16(f))) << std::hex << bits;
    } else {
      ASSERT_EQ(f32_to_bf16(f), h) << std::hex << bits;
    }
  }
}

// Every bf16 midpoint is a float: ties go to the even mantissa, neighbours to the nearer.
TEST(Bf16, RoundsMidpointsToEvenAndNeighboursToNearest) {
  for (uint32_t sign : {0u, 0x8000u}) {
    for (uint32_t low = 0; low < 0x7F7F; ++low) {
      const uint32_t a = sign | low;
      const uint32_t b = sign | (low + 1);
      const float mid = std::bit_cast<float>((a << 16) | 0x8000u);
      const uint32_t even = (a & 1) == 0 ? a : b;
      ASSERT_EQ(f32_to_bf16(mid), even) << std::hex << a;
      ASSERT_EQ(f32_to_bf16(std::bit_cast<float>((a << 16) | 0x7FFFu)), a) << std::hex << a;
      ASSERT_EQ(f32_to_bf16(std::bit_cast<float>((a << 16) | 0x8001u)), b) << std::hex << a;
    }
  }
}

TEST(Bf16, OverflowSubnormalsAndNan) {
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7F80);  // past the last midpoint
  EXPECT_EQ(f32_to_bf16(-std::numeric_limits<float>::infinity()), 0xFF80);
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x00010000u)), 0x0001);  // subnormals are kept
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x00018000u)), 0x0002);
  // NaN payloads only in the dropped half must stay NaN, not become infinity.
  EXPECT_TRUE(bf16_is_nan(f32_to_bf16(std::bit_cast<float>(0x7F800001u))));
  EXPECT_TRUE(bf16_is_nan(f32_to_bf16(std::bit_cast<float>(0xFF800100u))));
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::quiet_NaN()), 0x7FC0);
}

}  // namespace
}  // namespace slm
