#include <algorithm>
#include <cmath>

#include "kernels/rope.h"

namespace slm {

namespace {

// The pair index at which the YaRN ramp starts/ends: where a dimension's wavelength
// completes `n_rot_turns` rotations over the original context.
float yarn_corr_dim(int n_dims, int n_ctx_orig, float n_rot_turns, float base) {
  return static_cast<float>(n_dims) * std::log(static_cast<float>(n_ctx_orig) / (n_rot_turns * 2.0f * 3.14159265358979323846f)) /
         (2.0f * std::log(base));
}

}  // namespace

RopeAngles rope_angles(const RopeConfig& rope, int32_t position, const float* freq_factors) {
  const int n_pairs = rope.n_rot / 2;
  RopeAngles out;
  out.cos.resize(static_cast<size_t>(n_pairs));
  out.sin.resize(static_cast<size_t>(n_pairs));
  float corr_low = 0.0f;
  float corr_high = 0.0f;
  float mscale = rope.attn_factor;
  if (rope.ext_factor != 0.0f) {
    corr_low = std::max(0.0f, std::floor(yarn_corr_dim(rope.n_rot, rope.n_ctx_orig, rope.beta_fast, rope.base)));
    corr_high = std::min(static_cast<float>(rope.n_rot - 1),
                         std::ceil(yarn_corr_dim(rope.n_rot, rope.n_ctx_orig, rope.beta_slow, rope.base)));
    mscale *= 1.0f + 0.1f * std::log(1.0f / rope.freq_scale);
  }
  const float theta_scale = std::pow(rope.base, -2.0f / static_cast<float>(rope.n_rot));
  float theta = static_cast<float>(position);
  for (int i = 0; i < n_pairs; ++i) {
    const float theta_extrap = theta / (freq_factors != nullptr ? freq_factors[i] : 1.0f);
    float angle = rope.freq_scale * theta_extrap;  // interpolated
    if (rope.ext_factor != 0.0f) {
      const float y = (static_cast<float>(i) - corr_low) / std::max(0.001f, corr_high - corr_low);
      const float mix = (1.0f - std::min(1.0f, std::max(0.0f, y))) * rope.ext_factor;
      angle = angle * (1.0f - mix) + theta_extrap * mix;
    }
    out.cos[i] = std::cos(angle) * mscale;
    out.sin[i] = std::sin(angle) * mscale;
    theta *= theta_scale;
  }
  return out;
}

void rope_apply(float* x, int n_heads, int head_dim, const RopeConfig& rope, const RopeAngles& angles) {
  const int n_pairs = rope.n_rot / 2;
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + static_cast<size_t>(h) * head_dim;
    for (int i = 0; i < n_pairs; ++i) {
      // NORM pairs adjacent elements; NEOX pairs element i with i + n_rot/2.
      const int a = rope.mode == RopeMode::kNorm ? 2 * i : i;
      const int b = rope.mode == RopeMode::kNorm ? 2 * i + 1 : i + n_pairs;
      const float x0 = v[a];
      const float x1 = v[b];
      v[a] = x0 * angles.cos[i] - x1 * angles.sin[i];
      v[b] = x0 * angles.sin[i] + x1 * angles.cos[i];
    }
  }
}

}  // namespace slm
