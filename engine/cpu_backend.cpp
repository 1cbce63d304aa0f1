// CPU implementation of Backend: kernels/ for the math, OpenMP across rows, tokens and
// heads. Per-row operations split whole rows between threads, so results do not depend
// on the thread count; a single row (decoding) stays on the calling thread, where a
// parallel region would cost more than the row.
#include <omp.h>

#include <algorithm>

#include "engine/backend.h"
#include "kernels/attention.h"
#include "kernels/ops.h"

namespace slm {

namespace {

// Element-wise work on n values in chunks of this many (a multiple of every SIMD width):
// below it a parallel region costs more than it saves.
constexpr int64_t kElementChunk = 16384;

// f(begin, end) over [0, n) in chunks spread over the threads.
template <class F>
void parallel_chunks(int64_t n, F&& f) {
  const int64_t chunks = (n + kElementChunk - 1) / kElementChunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) f(c * kElementChunk, std::min(n, (c + 1) * kElementChunk));
}

class CpuBackend final : public Backend {
 public:
  void matmul(const MatrixView& w, const float* x, int64_t n_tokens, float* y) override {
    slm::matmul(w, x, n_tokens, y);
  }

  void matmul(std::span<const MatrixView> ws, const float* x, int64_t n_tokens, std::span<float* const> ys) override {
    slm::matmul(ws, x, n_tokens, ys);
  }

  void rms_norm(float* x, const float* w, int64_t n, int64_t n_rows, float eps) override {
#pragma omp parallel for schedule(static) if (n_rows > 1)
    for (int64_t r = 0; r < n_rows; ++r) slm::rms_norm(x + r * n, w, x + r * n, n, eps);
  }

  void gated_activation(GatedActivation act, const float* gate, const float* up, float* y, int64_t n) override {
    parallel_chunks(n, [&](int64_t begin, int64_t end) {
      if (act == GatedActivation::kSilu) {
        swiglu(gate + begin, up + begin, y + begin, end - begin);
      } else {
        geglu(gate + begin, up + begin, y + begin, end - begin);
      }
    });
  }

  void to_f16(const float* x, uint16_t* y, int64_t n) override {
    parallel_chunks(n, [&](int64_t begin, int64_t end) { f32_to_f16_row(x + begin, y + begin, end - begin); });
  }

  void rope(float* x, int64_t n_tokens, int n_heads, int head_dim, const int32_t* positions,
            const RopeConfig& rope, const float* freq_factors) override {
#pragma omp parallel for schedule(static) if (n_tokens > 1)
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
