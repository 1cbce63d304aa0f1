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

void softmax(float* x, int64_t n) {
  float max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max = x[i] > max ? x[i] : max;  // inline, unlike std::fmax
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void swiglu(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
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

}  // namespace ops_ref

}  // namespace slm
