#include "kernels/blas_gemm.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/ops.h"
#include "slm/quant.h"

namespace slm {

namespace {

// The two OpenBLAS entry points used, declared here because the library is opened at run
// time: CBLAS passes its enums as C ints, whose standard values are these.
using SgemmFn = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                         int lda, const float* b, int ldb, float beta, float* c, int ldc);
using SetThreadsFn = void (*)(int n);
constexpr int kCblasRowMajor = 101, kCblasNoTrans = 111, kCblasTrans = 112;

struct Blas {
  SgemmFn sgemm = nullptr;
  const char* core = "";
};

// OpenBLAS picks its kernels from the CPU model at load time, and falls back to its
// slowest ones (SSE3 "Prescott", ~33 Gflop/s here instead of ~150) for a model its
// version does not know, as Debian 12's 0.3.21 does with Sapphire Rapids. The family
// the rest of slm uses decides instead, unless the user set OPENBLAS_CORETYPE.
const char* core_for(Isa isa) {
  return isa == Isa::kAvx512 || isa == Isa::kAvx512Vnni ? "SkylakeX" : "Haswell";
}

Blas load() {
  Blas blas;
  const char* env = std::getenv("SLM_BLAS");
  const Isa isa = selected_isa();
  if ((env != nullptr && std::strcmp(env, "0") == 0) || isa == Isa::kScalar) return blas;
  const char* user_core = std::getenv("OPENBLAS_CORETYPE");
  blas.core = user_core != nullptr ? user_core : core_for(isa);
  setenv("OPENBLAS_CORETYPE", blas.core, 0);
  void* lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return blas;
  const auto set_threads = reinterpret_cast<SetThreadsFn>(dlsym(lib, "openblas_set_num_threads"));
  const auto sgemm = reinterpret_cast<SgemmFn>(dlsym(lib, "cblas_sgemm"));
  if (set_threads == nullptr || sgemm == nullptr) return blas;
  // Each call runs on its caller's thread: matmul splits the rows between its own
  // OpenMP threads, and OpenBLAS's pool would compete with them for the cores.
  set_threads(1);
  blas.sgemm = sgemm;
  return blas;
}

const Blas& blas() {
  static const Blas instance = load();
  return instance;
}

// Rows of float weights converted per sgemm call: 64 rows of up to 16k columns are 4 MiB.
constexpr int64_t kTileRows = 64;

// A row of n F16 or BF16 weights or activations widened to f32 into `out`.
void widen(GgmlType type, const uint8_t* row, int64_t n, float* out) {
  if (type == GgmlType::F16) {
    f16_to_f32_row(reinterpret_cast<const uint16_t*>(row), out, n);  // the scalar codec took 30% of an F16 prompt
  } else {
    dequantize_row(type, row, out, n);
  }
}

// A GemmFn for float weights of kType, whose activations come in kType too (vec_dot.cpp
// pairs them so; F16 activations are thus rounded as llama.cpp rounds them): both are
// widened to f32, the weights a tile of rows at a time.
template <GgmlType kType>
void gemm_via_sgemm(const GemmArgs& g) {
  const SgemmFn sgemm = blas().sgemm;
  const int64_t n = g.n;
  thread_local std::vector<float> acts, tile;
  const float* a = reinterpret_cast<const float*>(g.a);
  int64_t lda = static_cast<int64_t>(g.a_stride / sizeof(float));
  if (kType != GgmlType::F32) {
    acts.resize(static_cast<size_t>(g.n_tokens * n));
    for (int64_t t = 0; t < g.n_tokens; ++t) widen(kType, g.a + t * g.a_stride, n, acts.data() + t * n);
    a = acts.data();
    lda = n;
  }
  for (int64_t r0 = 0; r0 < g.n_rows; r0 += kTileRows) {
    const int64_t rows = std::min(kTileRows, g.n_rows - r0);
    const float* w = reinterpret_cast<const float*>(g.w + r0 * g.w_stride);
    int64_t ldw = static_cast<int64_t>(g.w_stride / sizeof(float));
    if (kType != GgmlType::F32) {
      tile.resize(static_cast<size_t>(kTileRows * n));
      for (int64_t r = 0; r < rows; ++r) widen(kType, g.w + (r0 + r) * g.w_stride, n, tile.data() + r * n);
      w = tile.data();
      ldw = n;
    }
    // y[t][r] = Σ_k a[t][k] · w[r][k]: (tokens × n) times the transposed (rows × n) tile.
    sgemm(kCblasRowMajor, kCblasNoTrans, kCblasTrans, static_cast<int>(g.n_tokens), static_cast<int>(rows),
          static_cast<int>(n), 1.0f, a, static_cast<int>(lda), w, static_cast<int>(ldw), 0.0f, g.y + r0,
          static_cast<int>(g.y_stride));
  }
}

}  // namespace

GemmFn blas_gemm(GgmlType type) {
  if (blas().sgemm == nullptr) return nullptr;
  switch (type) {
    case GgmlType::F32: return gemm_via_sgemm<GgmlType::F32>;
    case GgmlType::F16: return gemm_via_sgemm<GgmlType::F16>;
    case GgmlType::BF16: return gemm_via_sgemm<GgmlType::BF16>;
    default: return nullptr;
  }
}

bool blas_available() { return blas().sgemm != nullptr; }

const char* blas_core() { return blas().core; }

}  // namespace slm
