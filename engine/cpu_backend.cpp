// CPU implementation of Backend: kernels/ for the math, OpenMP across rows and heads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/backend.h"
#include "kernels/fp16.h"
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

  // As llama.cpp without flash attention: Q rounded to f16 for the f16 K cache, scores
  // in f32, softmax in f32, probabilities rounded to f16 for the f16 V cache.
  void attention(const float* q, const KvCache& cache, int il, const int32_t* positions, int64_t n_tokens,
                 const AttentionShape& s, float* out) override {
    const int group = s.n_head / s.n_head_kv;
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int h = 0; h < s.n_head; ++h) {
        const int pos = positions[t];
        const int first = s.window > 0 ? std::max(0, pos - s.window + 1) : 0;
        const int kv_head = h / group;
        const float* qh = q + (t * s.n_head + h) * s.head_dim_k;
        std::vector<float> qf(static_cast<size_t>(s.head_dim_k));
        for (int d = 0; d < s.head_dim_k; ++d) qf[d] = round_f16(qh[d]);
        std::vector<float> scores(static_cast<size_t>(pos - first + 1));
        for (int j = first; j <= pos; ++j) {
          const uint16_t* kj = cache.k(il, j) + static_cast<size_t>(kv_head) * s.head_dim_k;
          float dot = 0.0f;
          for (int d = 0; d < s.head_dim_k; ++d) dot += qf[d] * f16_to_f32(kj[d]);
          scores[j - first] = dot * s.kq_scale;
        }
        softmax(scores.data(), static_cast<int64_t>(scores.size()));
        float* oh = out + (t * s.n_head + h) * s.head_dim_v;
        std::fill(oh, oh + s.head_dim_v, 0.0f);
        for (int j = first; j <= pos; ++j) {
          const float p = round_f16(scores[j - first]);
          const uint16_t* vj = cache.v(il, j) + static_cast<size_t>(kv_head) * s.head_dim_v;
          for (int d = 0; d < s.head_dim_v; ++d) oh[d] += p * f16_to_f32(vj[d]);
        }
      }
    }
  }
};

}  // namespace

Backend& cpu_backend() {
  static CpuBackend backend;
  return backend;
}

}  // namespace slm
