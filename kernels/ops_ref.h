// The scalar kernels of the ISA-dispatched operations in ops.h: the oracle of the SIMD ones.
#pragma once

#include <cstdint>

namespace slm::ops_ref {

void geglu(const float* gate, const float* up, float* y, int64_t n);
void f32_to_f16(const float* x, uint16_t* y, int64_t n);

}  // namespace slm::ops_ref
