// Kernels on the interleaved layout of Q4_K and Q6_K (interleaved_k.h) for x86-64, one
// namespace per ISA family like the dot products in vec_dot_x86.h, whose rules for
// ISA-flagged files they follow. Each computes InterleavedArgs for the given groups and
// all tokens from Q8_K activations, bit-identical to the scalar dot products; only call
// them when cpu_supports() says so.
#pragma once

namespace slm {
struct InterleavedArgs;
}

namespace slm::x86 {

#define SLM_DECLARE_INTERLEAVED_K_KERNELS        \
  void interleaved_q4_K(const InterleavedArgs& args); \
  void interleaved_q6_K(const InterleavedArgs& args);

namespace avx2 {
SLM_DECLARE_INTERLEAVED_K_KERNELS
}
namespace avxvnni {
SLM_DECLARE_INTERLEAVED_K_KERNELS
}
namespace avx512vnni {
SLM_DECLARE_INTERLEAVED_K_KERNELS
}

#undef SLM_DECLARE_INTERLEAVED_K_KERNELS

}  // namespace slm::x86
