// Dot products of one weight row with one activation row, the building block of matmul.
// As in ggml, activations are first converted to the weight type's "activation type"
// (ARCH_FACTS §1.5: Q8_0, Q8_1, Q8_K, or the float type itself) so that quantized dot
// products run on integers within each block. One table of kernels per ISA family
// (cpu_features.h); the table for the selected family is chosen once.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/cpu_features.h"
#include "slm/ggml_type.h"

namespace slm {

// Σ w[e]·a[e] over n elements: `w` holds n / block_elems blocks of the weight type, `a`
// the same elements in the activation type. n must be a multiple of both block sizes.
// Neither pointer needs any alignment.
using VecDotFn = float (*)(int64_t n, const uint8_t* w, const uint8_t* a);

// Converts n floats to the activation type (n a multiple of its block size).
using QuantizeActivationsFn = void (*)(const float* x, uint8_t* a, int64_t n);

// Many tokens at once (gemm.h); null where only the dot product exists.
struct GemmArgs;
using GemmFn = void (*)(const GemmArgs& args);

// Groups of 16 rows of a matrix in the interleaved layout (interleaved.h) times any
// number of tokens; null where the ISA family has no kernel for that layout.
struct InterleavedArgs;
using InterleavedFn = void (*)(const InterleavedArgs& args);

struct VecDotKernel {
  GgmlType act_type = GgmlType::F32;
  VecDotFn dot = nullptr;  // null: the weight type has no dot product
  QuantizeActivationsFn quantize = nullptr;
  GemmFn gemm = nullptr;
  // Fewer tokens go through `dot`: kernels that decode their rows once per call lose to
  // it when few tokens share that cost.
  int64_t gemm_min_tokens = 2;
  InterleavedFn interleaved = nullptr;
};

inline constexpr uint32_t kMaxGgmlTypeId = 40;

struct VecDotTable {
  Isa isa = Isa::kScalar;
  VecDotKernel kernels[kMaxGgmlTypeId];
  // The kernel for a weight type, or nullptr when the type has no dot product.
  const VecDotKernel* find(GgmlType weight_type) const;
};

// Every weight type with a dot product: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q2_K..Q6_K, IQ4_NL, IQ4_XS. Types without a SIMD kernel use the scalar one.
// The table of a family the CPU lacks may be built and inspected, never called.
const VecDotTable& vec_dot_table(Isa isa);
// The table of selected_isa().
const VecDotTable& active_vec_dot_table();

}  // namespace slm
