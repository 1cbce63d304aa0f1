// CPU implementation of Backend: kernels/ for the math, OpenMP across rows and heads.
#include "engine/backend.h"
#include "kernels/attention.h"
#include "kernels/ops.h"

namespace slm {

namespace {

class CpuBackend final : public Backend {
 public:
  void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y) override {
    slm::matmul(w, x, n_tokens, y);
  }

  void rms_norm(float* x, const float* w, int64_t n, int64_t n_rows, float eps) override {
    for (int64_t r = 0; r < n_rows; ++r) slm::rms_norm(x + r * n, w, x + r * n, n, eps);
  }

  void rope(float* x, int64_t n_tokens, int n_heads, int head_dim, const int32_t* positions,
            const RopeConfig& rope, const float* freq_factors) override {
    for (int64_t t = 0; t < n_tokens; ++t) {
      const RopeAngles angles = rope_angles(rope, positions[t], freq_factors);
      rope_apply(x + t * n_heads * head_dim, n_heads, head_dim, rope, angles);
    }
  }

  void attention(const float* q, const KvCache& cache, int il, const int32_t* positions, int64_t n_tokens,
                 const AttentionShape& s, float* out) override {
    attention_f16(q, n_tokens, positions, F16Rows{cache.k(il, 0), cache.k_width(il)},
                  F16Rows{cache.v(il, 0), cache.v_width(il)}, s, out);
  }
};

}  // namespace

Backend& cpu_backend() {
  static CpuBackend backend;
  return backend;
}

}  // namespace slm
