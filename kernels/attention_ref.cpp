#include "kernels/attention_ref.h"

#include <cmath>

#include "kernels/fp16.h"
#include "kernels/ops_ref.h"

namespace slm::attention_ref {

namespace {

int lanes_of(F16DotOrder order) { return order == F16DotOrder::kTiled ? kTiledLanes : kVectorLanes; }

// One value from the partial sums of `order` (s is overwritten).
float sum_lanes(float* s, F16DotOrder order) {
  if (order == F16DotOrder::kVector) {
    for (int i = 0; i < 16; ++i) s[i] = (s[i] + s[i + 32]) + (s[i + 16] + s[i + 48]);
  }
  return ops_ref::sum_16_lanes(s);
}

float dot(const float* q, const uint16_t* k, int n, F16DotOrder order) {
  const int lanes = lanes_of(order);
  float s[kVectorLanes] = {};
  const int main = n - n % lanes;
  for (int d = 0; d < main; ++d) s[d % lanes] = std::fma(q[d], f16_to_f32(k[d]), s[d % lanes]);
  const float sum = sum_lanes(s, order);
  if (main == n) return sum;
  double total = sum;
  for (int d = main; d < n; ++d) total += static_cast<double>(q[d] * f16_to_f32(k[d]));
  return static_cast<float>(total);
}

}  // namespace

void scores(const float* q, int n_q, int head_dim, F16Rows k, int first, int last, F16DotOrder order, float* out,
            size_t out_stride) {
  for (int h = 0; h < n_q; ++h) {
    for (int j = first; j < last; ++j) {
      out[h * out_stride + (j - first)] = dot(q + static_cast<size_t>(h) * head_dim, k.data + j * k.stride, head_dim, order);
    }
  }
}

void mix(const float* p, int n_q, size_t p_stride, F16Rows v, int first, int last, int col, int width,
         F16DotOrder order, float* out, size_t out_stride) {
  const int lanes = lanes_of(order);
  for (int h = 0; h < n_q; ++h) {
    const float* ph = p + h * p_stride;
    for (int d = col; d < col + width; ++d) {
      float s[kVectorLanes] = {};
      for (int j = first; j < last; ++j) {
        s[j % lanes] = std::fma(ph[j - first], f16_to_f32(v.data[j * v.stride + d]), s[j % lanes]);
      }
      out[h * out_stride + d] = sum_lanes(s, order);
    }
  }
}

void round_to_f16(const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(f32_to_f16(x[i]));
}

}  // namespace slm::attention_ref
