// Kernels on the interleaved weight layout (interleaved.h) for x86-64, one namespace per
// ISA family like the dot products in vec_dot_x86.h, whose rules for ISA-flagged files
// they follow. Each computes InterleavedArgs for the given groups and all tokens; only
// call them when cpu_supports() says so.
#pragma once

namespace slm {
struct InterleavedArgs;
}

namespace slm::x86 {

#define SLM_DECLARE_INTERLEAVED_KERNELS               \
  void interleaved_q4_0(const InterleavedArgs& args);  \
  void interleaved_q4_1(const InterleavedArgs& args);  \
  void interleaved_q5_0(const InterleavedArgs& args);  \
  void interleaved_q5_1(const InterleavedArgs& args);  \
  void interleaved_q8_0(const InterleavedArgs& args);  \
  void interleaved_iq4_nl(const InterleavedArgs& args);

namespace avx2 {
SLM_DECLARE_INTERLEAVED_KERNELS
}
namespace avxvnni {
SLM_DECLARE_INTERLEAVED_KERNELS
}
namespace avx512vnni {
SLM_DECLARE_INTERLEAVED_KERNELS
}

#undef SLM_DECLARE_INTERLEAVED_KERNELS

}  // namespace slm::x86
