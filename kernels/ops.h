// Element-wise and per-row operations of a transformer layer. Each follows ggml's CPU
// arithmetic (accumulation types, f16 rounding points) so that results track llama.cpp
// closely. rms_norm and round_f16 are scalar code; softmax, swiglu, geglu and the f16
// row conversions use the selected ISA family's kernels (OpsKernels), which give the
// scalar results bit for bit.
#pragma once

#include <cstdint>

#include "kernels/cpu_features.h"

namespace slm {

// y = x / sqrt(mean(x²) + eps) · w (w may be null: no weight). x and y may alias.
void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps);

// Softmax over n values in place, with ggml's vector exp (ops_ref.h), as ggml computes it
// over a row of cache cells: x[0] is element `phase` (0..15) of a group of 16, as if
// `phase` masked (-inf) cells came before it and the row ended on a group boundary.
void softmax(float* x, int64_t n, int phase);

// y = silu(gate) · up (with ggml's vector exp) and y = gelu_tanh(gate) · up (GeGLU, with
// ggml's f16 GELU table rounding), n elements.
void swiglu(const float* gate, const float* up, float* y, int64_t n);
void geglu(const float* gate, const float* up, float* y, int64_t n);

// Rounds to IEEE half precision and back (where ggml stores or converts to f16).
float round_f16(float x);

// y[i] = f16 bits of x[i], rounded to nearest even (the KV cache's rows).
void f32_to_f16_row(const float* x, uint16_t* y, int64_t n);
// y[i] = the f16 value with bits x[i] (exact; F16 weights widened for sgemm).
void f16_to_f32_row(const uint16_t* x, float* y, int64_t n);

// The kernels behind softmax, swiglu, geglu and the f16 rows for one ISA family (tests compare each
// family with the scalar one; call only when cpu_supports() says so).
struct OpsKernels {
  Isa isa = Isa::kScalar;
  void (*softmax)(float* x, int64_t n, int phase) = nullptr;
  void (*swiglu)(const float* gate, const float* up, float* y, int64_t n) = nullptr;
  void (*geglu)(const float* gate, const float* up, float* y, int64_t n) = nullptr;
  void (*f32_to_f16)(const float* x, uint16_t* y, int64_t n) = nullptr;
  void (*f16_to_f32)(const uint16_t* x, float* y, int64_t n) = nullptr;
};
const OpsKernels& ops_kernels(Isa isa);

// GELU (tanh approximation) of every f16 value, rounded to f16, indexed by its bits: the
// table ggml evaluates GELU with. Built on first use.
const float* gelu_f16_table();

}  // namespace slm
