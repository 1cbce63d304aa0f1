// Tiled multi-token kernels for x86-64 (gemm.h), one namespace per ISA family like the
// dot products in vec_dot_x86.h, whose rules for ISA-flagged files they follow. Each
// function has the contract of GemmFn; only call them when cpu_supports() says so.
#pragma once

namespace slm {
struct GemmArgs;
}

namespace slm::x86 {

#define SLM_DECLARE_GEMM_KERNELS                \
  void gemm_q4_0(const GemmArgs& args);         \
  void gemm_q4_1(const GemmArgs& args);         \
  void gemm_q5_0(const GemmArgs& args);         \
  void gemm_q8_0(const GemmArgs& args);         \
  void gemm_q5_1(const GemmArgs& args);         \
  void gemm_iq4_nl(const GemmArgs& args);       \
  void gemm_q4_K(const GemmArgs& args);         \
  void gemm_q5_K(const GemmArgs& args);         \
  void gemm_q6_K(const GemmArgs& args);         \
  void gemm_q2_K(const GemmArgs& args);         \
  void gemm_q3_K(const GemmArgs& args);         \
  void gemm_iq4_xs(const GemmArgs& args);

namespace avx2 {
SLM_DECLARE_GEMM_KERNELS
}
namespace avxvnni {
SLM_DECLARE_GEMM_KERNELS
}
namespace avx512 {
SLM_DECLARE_GEMM_KERNELS
}
namespace avx512vnni {
SLM_DECLARE_GEMM_KERNELS
}

#undef SLM_DECLARE_GEMM_KERNELS

// The float types, with AVX2 and AVX-512 (VNNI has nothing to add to them).
#define SLM_DECLARE_FLOAT_GEMM_KERNELS  \
  void gemm_f32(const GemmArgs& args);  \
  void gemm_f16(const GemmArgs& args);  \
  void gemm_bf16(const GemmArgs& args);

namespace avx2 {
SLM_DECLARE_FLOAT_GEMM_KERNELS
}
namespace avx512 {
SLM_DECLARE_FLOAT_GEMM_KERNELS
}

#undef SLM_DECLARE_FLOAT_GEMM_KERNELS

}  // namespace slm::x86
