// Prompt products of float weights (F32, F16, BF16) through OpenBLAS's sgemm, which is
// 2-3x faster than our float GEMM kernels from about 32 tokens on (slm-bench gemm). The
// library is optional: it is loaded at run time (libopenblas.so.0) on first use, and
// without it, or with SLM_BLAS=0, or when the scalar ISA is forced, matmul keeps its own
// kernels.
#pragma once

#include <cstdint>

#include "kernels/gemm.h"
#include "kernels/vec_dot.h"
#include "slm/ggml_type.h"

namespace slm {

// Fewest tokens for which sgemm beats the float GEMM kernels (a Sapphire Rapids core:
// 8 tokens 33 vs ~37 Gop/s, 16 tokens 57 vs ~40 on AVX-512, 44 vs ~40 on AVX2; 32 tokens
// 82 / 57 against ~42).
constexpr int64_t kBlasMinTokens = 32;

// The sgemm-backed kernel for weights of `type` (activations in that type's activation
// type, as for the other GEMM kernels: F32, F16 or BF16), or null when OpenBLAS is not in
// use or the type is not a float type. Safe to call from several threads at once: each
// call runs single-threaded on the caller's thread.
GemmFn blas_gemm(GgmlType type);

// Whether OpenBLAS was loaded (the first call loads it), and the core its kernels were
// chosen for ("SkylakeX", "Haswell"...), for reports.
bool blas_available();
const char* blas_core();

}  // namespace slm
