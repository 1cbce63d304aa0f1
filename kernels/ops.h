// Element-wise and per-row operations of a transformer layer (scalar reference).
// Each follows ggml's CPU arithmetic (accumulation types, f16 rounding points) so
// that results track llama.cpp closely.
#pragma once

#include <cstdint>

namespace slm {

// y = x / sqrt(mean(x²) + eps) · w (w may be null: no weight). x and y may alias.
void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps);

// Softmax over n values in place.
void softmax(float* x, int64_t n);

// y = silu(gate) · up and y = gelu_tanh(gate) · up (GeGLU, with ggml's f16 GELU table
// rounding), n elements.
void swiglu(const float* gate, const float* up, float* y, int64_t n);
void geglu(const float* gate, const float* up, float* y, int64_t n);

// Rounds to IEEE half precision and back (where ggml stores or converts to f16).
float round_f16(float x);

}  // namespace slm
