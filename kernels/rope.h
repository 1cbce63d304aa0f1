// Rotary position embeddings (RoPE) with linear and YaRN scaling, as ggml computes
// them: per-pair angles built by repeated multiplication in f32.
#pragma once

#include <cstdint>
#include <vector>

namespace slm {

// NORM rotates adjacent pairs (2i, 2i+1); NEOX rotates (i, i + n_rot/2).
enum class RopeMode { kNorm, kNeox };

struct RopeConfig {
  int n_rot = 0;                // rotated dimensions of each head (even, <= head_dim)
  RopeMode mode = RopeMode::kNorm;
  float base = 10000.0f;        // theta base
  float freq_scale = 1.0f;      // 1 / linear or YaRN scaling factor
  // YaRN (ext_factor 0 = off): blend of interpolated and extrapolated frequencies.
  float ext_factor = 0.0f;
  float attn_factor = 1.0f;
  float beta_fast = 32.0f;
  float beta_slow = 1.0f;
  int n_ctx_orig = 0;
};


// cos/sin of each rotated pair at one position: n_rot/2 entries each, YaRN's
// magnitude scale folded in.
struct RopeAngles {
  std::vector<float> cos, sin;
};

// freq_factors (n_rot/2 divisors of the angle) may be null.
RopeAngles rope_angles(const RopeConfig& rope, int32_t position, const float* freq_factors);

// Rotates the first n_rot dims of each of n_heads heads of width head_dim in x.
void rope_apply(float* x, int n_heads, int head_dim, const RopeConfig& rope, const RopeAngles& angles);

}  // namespace slm
