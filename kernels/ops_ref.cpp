#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/fp16.h"
#include "kernels/ops.h"
#include "kernels/ops_ref.h"

namespace slm {

void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps) {
  double sum = 0.0;  // ggml sums squares in double
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * (w != nullptr ? w[i] : 1.0f);
}

float round_f16(float x) { return f16_to_f32(f32_to_f16(x)); }

namespace {

// GELU with the tanh approximation of an f16 value, rounded to f16, as ggml's table holds it.
float gelu_of_f16(uint16_t bits) {
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  constexpr float kCoefA = 0.044715f;
  const float h = f16_to_f32(bits);
  return round_f16(0.5f * h * (1.0f + std::tanh(kSqrt2OverPi * h * (1.0f + kCoefA * h * h))));
}

}  // namespace

// One entry per f16 bit pattern, built once: a tanh per element was 2% of decoding.
const float* gelu_f16_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(size_t{1} << 16);
    for (size_t bits = 0; bits < t.size(); ++bits) t[bits] = gelu_of_f16(static_cast<uint16_t>(bits));
    return t;
  }();
  return table.data();
}

namespace ops_ref {

// GELU evaluated as ggml's table does: on the f16 value of x, looked up in the table.
// Beyond ±10 it is exactly 0 or x.
void geglu(const float* gate, const float* up, float* y, int64_t n) {
  const float* table = gelu_f16_table();
  for (int64_t i = 0; i < n; ++i) {
    const float x = gate[i];
    const float gelu = x <= -10.0f ? 0.0f : x >= 10.0f ? x : table[slm::f32_to_f16(x)];
    y[i] = gelu * up[i];
  }
}

void f32_to_f16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = slm::f32_to_f16(x[i]);
}

void f16_to_f32(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = slm::f16_to_f32(x[i]);
}

float exp_poly(float x) {
  constexpr float kShift = 0x1.8p23f;  // adding it rounds to an integer kept in the low bits
  const float z = std::fma(x, 0x1.715476p+0f, kShift);
  const float n = z - kShift;
  const float b = std::fma(-n, 0x1.7f7d1cp-20f, std::fma(-n, 0x1.62e4p-1f, x));
  const uint32_t e = std::bit_cast<uint32_t>(z) << 23;
  const float k = std::bit_cast<float>(e + std::bit_cast<uint32_t>(1.0f));  // 2^n
  const float u = b * b;
  const float j = std::fma(std::fma(std::fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u,
                                    std::fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                           u, 0x1.ffffecp-1f * b);
  if (!(std::fabs(n) > 126.0f)) return std::fma(j, k, k);
  const uint32_t g = n <= 0.0f ? 0x82000000u : 0u;
  const float s1 = std::bit_cast<float>(g + 0x7f000000u);
  const float s2 = std::bit_cast<float>(e - g);
  if (std::fabs(n) > 192.0f) return s1 * s1;  // 0 or infinity
  return std::fma(s2, j, s2) * s1;
}

float sum_16_lanes(const float* s) {
  float half[8];
  for (int i = 0; i < 8; ++i) half[i] = s[i] + s[i + 8];
  float quarter[4];
  for (int i = 0; i < 4; ++i) quarter[i] = half[i] + half[i + 4];
  return (quarter[0] + quarter[2]) + (quarter[1] + quarter[3]);
}

// x / (1 + e^-x) · up.
void swiglu(const float* gate, const float* up, float* y, int64_t n) {
  const int64_t grouped = n - n % kExpGroup;
  for (int64_t i = 0; i < grouped; ++i) y[i] = gate[i] / (1.0f + exp_poly(-gate[i])) * up[i];
  for (int64_t i = grouped; i < n; ++i) y[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

// ggml_vec_soft_max_f32 as built for AVX-512 over a row of cache cells: each group of 16
// cells is summed as a vector reduction (masked cells add exact zeros), the group sums
// are added in double, and every cell goes through exp_poly.
void softmax(float* x, int64_t n, int phase) {
  float max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max = x[i] > max ? x[i] : max;  // inline, unlike std::fmax
  double sum = 0.0;
  for (int64_t start = -phase; start < n; start += kExpGroup) {
    float group[kExpGroup] = {};
    for (int64_t l = 0; l < kExpGroup; ++l) {
      const int64_t i = start + l;
      if (i < 0 || i >= n) continue;
      x[i] = exp_poly(x[i] - max);
      group[l] = x[i];
    }
    sum += sum_16_lanes(group);
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

}  // namespace ops_ref

}  // namespace slm
