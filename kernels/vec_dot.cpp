// The per-ISA kernel tables. Built without ISA flags: this file only stores pointers to
// the SIMD functions, it never calls them.
#include "kernels/vec_dot.h"

#include "kernels/vec_dot_ref.h"
#include "slm/error.h"

#if defined(SLM_X86_KERNELS)
#include "kernels/x86/gemm_x86.h"
#include "kernels/x86/interleaved_k_x86.h"
#include "kernels/x86/interleaved_x86.h"
#include "kernels/x86/vec_dot_x86.h"
#endif

namespace slm {

namespace {

void set(VecDotTable& table, GgmlType weight, GgmlType act, VecDotFn dot, QuantizeActivationsFn quantize) {
  table.kernels[static_cast<uint32_t>(weight)] = VecDotKernel{act, dot, quantize};
}

// Replaces the activation converter of every weight type that uses `act`.
void set_quantize(VecDotTable& table, GgmlType act, QuantizeActivationsFn quantize) {
  for (VecDotKernel& k : table.kernels) {
    if (k.dot != nullptr && k.act_type == act) k.quantize = quantize;
  }
}

// Replaces the dot product of a weight type, keeping its activation type.
void set_dot(VecDotTable& table, GgmlType weight, VecDotFn dot) {
  table.kernels[static_cast<uint32_t>(weight)].dot = dot;
}

void set_gemm(VecDotTable& table, GgmlType weight, GemmFn gemm, int64_t min_tokens) {
  table.kernels[static_cast<uint32_t>(weight)].gemm = gemm;
  table.kernels[static_cast<uint32_t>(weight)].gemm_min_tokens = min_tokens;
}

void set_interleaved(VecDotTable& table, GgmlType weight, InterleavedFn kernel) {
  table.kernels[static_cast<uint32_t>(weight)].interleaved = kernel;
}

// The multi-token kernels of one ISA namespace, and from how many tokens each beats the
// dot products (slm-bench gemm --tokens N on a Zen 4 core). The register tiles of AVX2
// and AVX-512 win from 2 tokens (AVX-512 Q6_K from 8); the VNNI kernels decode 16 or 32
// rows per call, which needs 4 tokens to pay off for 32-element blocks, 8 for Q4_K and
// 16 for Q6_K. The other K-quant types take the threshold of their sub-block size's
// family: Q5_K and IQ4_XS (32 elements) Q4_K's, Q2_K and Q3_K (16 elements) Q6_K's.
#define SLM_SET_GEMM_KERNELS(table, ns, min32, min_k32, min_k16) \
  set_gemm(table, GgmlType::Q4_0, ns::gemm_q4_0, min32);         \
  set_gemm(table, GgmlType::Q4_1, ns::gemm_q4_1, min32);         \
  set_gemm(table, GgmlType::Q5_0, ns::gemm_q5_0, min32);         \
  set_gemm(table, GgmlType::Q5_1, ns::gemm_q5_1, min32);         \
  set_gemm(table, GgmlType::Q8_0, ns::gemm_q8_0, min32);         \
  set_gemm(table, GgmlType::IQ4_NL, ns::gemm_iq4_nl, min32);     \
  set_gemm(table, GgmlType::Q4_K, ns::gemm_q4_K, min_k32);       \
  set_gemm(table, GgmlType::Q5_K, ns::gemm_q5_K, min_k32);       \
  set_gemm(table, GgmlType::IQ4_XS, ns::gemm_iq4_xs, min_k32);   \
  set_gemm(table, GgmlType::Q2_K, ns::gemm_q2_K, min_k16);       \
  set_gemm(table, GgmlType::Q3_K, ns::gemm_q3_K, min_k16);       \
  set_gemm(table, GgmlType::Q6_K, ns::gemm_q6_K, min_k16)

// The float types' GEMM kernels widen every weight row and token once per call, which
// pays off from 16 tokens (slm-bench gemm --tokens 8 / 16 on a Sapphire Rapids core:
// ~30-37 / ~36-42 Gop/s against ~30 for the dot products). Their results are the dot
// products' exactly, so the threshold moves no output.
constexpr int64_t kFloatGemmMinTokens = 16;
#define SLM_SET_FLOAT_GEMM_KERNELS(table, ns)                            \
  set_gemm(table, GgmlType::F32, ns::gemm_f32, kFloatGemmMinTokens);   \
  set_gemm(table, GgmlType::F16, ns::gemm_f16, kFloatGemmMinTokens);   \
  set_gemm(table, GgmlType::BF16, ns::gemm_bf16, kFloatGemmMinTokens)

// The interleaved-layout kernels of one ISA namespace.
#define SLM_SET_INTERLEAVED_KERNELS(table, ns)                   \
  set_interleaved(table, GgmlType::Q4_0, ns::interleaved_q4_0);  \
  set_interleaved(table, GgmlType::Q4_1, ns::interleaved_q4_1);  \
  set_interleaved(table, GgmlType::Q5_0, ns::interleaved_q5_0);  \
  set_interleaved(table, GgmlType::Q5_1, ns::interleaved_q5_1);  \
  set_interleaved(table, GgmlType::Q8_0, ns::interleaved_q8_0);  \
  set_interleaved(table, GgmlType::IQ4_NL, ns::interleaved_iq4_nl); \
  set_interleaved(table, GgmlType::Q4_K, ns::interleaved_q4_K);     \
  set_interleaved(table, GgmlType::Q6_K, ns::interleaved_q6_K)

VecDotTable scalar_table() {
  namespace ref = vec_dot_ref;
  VecDotTable t;
  t.isa = Isa::kScalar;
  set(t, GgmlType::F32, GgmlType::F32, ref::dot_f32_f32, ref::activations_f32);
  set(t, GgmlType::F16, GgmlType::F16, ref::dot_f16_f16, ref::activations_f16);
  set(t, GgmlType::BF16, GgmlType::BF16, ref::dot_bf16_bf16, ref::activations_bf16);
  set(t, GgmlType::Q4_0, GgmlType::Q8_0, ref::dot_q4_0_q8_0, ref::activations_q8_0);
  set(t, GgmlType::Q4_1, GgmlType::Q8_1, ref::dot_q4_1_q8_1, ref::activations_q8_1);
  set(t, GgmlType::Q5_0, GgmlType::Q8_0, ref::dot_q5_0_q8_0, ref::activations_q8_0);
  set(t, GgmlType::Q5_1, GgmlType::Q8_1, ref::dot_q5_1_q8_1, ref::activations_q8_1);
  set(t, GgmlType::Q8_0, GgmlType::Q8_0, ref::dot_q8_0_q8_0, ref::activations_q8_0);
  set(t, GgmlType::Q2_K, GgmlType::Q8_K, ref::dot_q2_K_q8_K, ref::activations_q8_K);
  set(t, GgmlType::Q3_K, GgmlType::Q8_K, ref::dot_q3_K_q8_K, ref::activations_q8_K);
  set(t, GgmlType::Q4_K, GgmlType::Q8_K, ref::dot_q4_K_q8_K, ref::activations_q8_K);
  set(t, GgmlType::Q5_K, GgmlType::Q8_K, ref::dot_q5_K_q8_K, ref::activations_q8_K);
  set(t, GgmlType::Q6_K, GgmlType::Q8_K, ref::dot_q6_K_q8_K, ref::activations_q8_K);
  set(t, GgmlType::IQ4_NL, GgmlType::Q8_0, ref::dot_iq4_nl_q8_0, ref::activations_q8_0);
  set(t, GgmlType::IQ4_XS, GgmlType::Q8_K, ref::dot_iq4_xs_q8_K, ref::activations_q8_K);
  return t;
}

VecDotTable avx2_table() {
  VecDotTable t = scalar_table();
  t.isa = Isa::kAvx2;
#if defined(SLM_X86_KERNELS)
  namespace k = x86::avx2;
  set_quantize(t, GgmlType::Q8_0, k::activations_q8_0);
  set_quantize(t, GgmlType::Q8_1, k::activations_q8_1);
  set_quantize(t, GgmlType::Q8_K, k::activations_q8_K);
  set_dot(t, GgmlType::F32, k::dot_f32_f32);
  set_dot(t, GgmlType::F16, k::dot_f16_f16);
  set_dot(t, GgmlType::BF16, k::dot_bf16_bf16);
  set_dot(t, GgmlType::Q4_0, k::dot_q4_0_q8_0);
  set_dot(t, GgmlType::Q4_1, k::dot_q4_1_q8_1);
  set_dot(t, GgmlType::Q5_0, k::dot_q5_0_q8_0);
  set_dot(t, GgmlType::Q5_1, k::dot_q5_1_q8_1);
  set_dot(t, GgmlType::Q8_0, k::dot_q8_0_q8_0);
  set_dot(t, GgmlType::Q2_K, k::dot_q2_K_q8_K);
  set_dot(t, GgmlType::Q3_K, k::dot_q3_K_q8_K);
  set_dot(t, GgmlType::IQ4_NL, k::dot_iq4_nl_q8_0);
  set_dot(t, GgmlType::Q4_K, k::dot_q4_K_q8_K);
  set_dot(t, GgmlType::Q5_K, k::dot_q5_K_q8_K);
  set_dot(t, GgmlType::Q6_K, k::dot_q6_K_q8_K);
  set_dot(t, GgmlType::IQ4_XS, k::dot_iq4_xs_q8_K);
  SLM_SET_GEMM_KERNELS(t, k, 2, 2, 2);
  SLM_SET_FLOAT_GEMM_KERNELS(t, k);
  SLM_SET_INTERLEAVED_KERNELS(t, k);
#endif
  return t;
}

// The AVX2 table with vpdpbusd/vpdpwssd on ymm where they replace byte and word pairs.
VecDotTable avxvnni_table() {
  VecDotTable t = avx2_table();
  t.isa = Isa::kAvxVnni;
#if defined(SLM_X86_KERNELS)
  namespace k = x86::avxvnni;
  set_dot(t, GgmlType::Q4_0, k::dot_q4_0_q8_0);
  set_dot(t, GgmlType::Q4_1, k::dot_q4_1_q8_1);
  set_dot(t, GgmlType::Q5_0, k::dot_q5_0_q8_0);
  set_dot(t, GgmlType::Q5_1, k::dot_q5_1_q8_1);
  set_dot(t, GgmlType::Q8_0, k::dot_q8_0_q8_0);
  set_dot(t, GgmlType::IQ4_NL, k::dot_iq4_nl_q8_0);
  set_dot(t, GgmlType::Q4_K, k::dot_q4_K_q8_K);
  set_dot(t, GgmlType::Q6_K, k::dot_q6_K_q8_K);
  // Crossovers with the dot products on a Sapphire Rapids core (slm-bench gemm --tokens N).
  SLM_SET_GEMM_KERNELS(t, k, 2, 12, 12);
  SLM_SET_INTERLEAVED_KERNELS(t, k);
#endif
  return t;
}

// Q4_1, Q5_1 and IQ4_NL keep the AVX2 dot products (as Q4_0 does): their per-block scale
// arithmetic is scalar, and next to 512-bit instructions it loses a vector port (a
// two-blocks-per-register version measured 20-30% slower than AVX2 on a Sapphire Rapids
// core, whether its levels were decoded at 256 or 512 bits).
VecDotTable avx512_table(bool vnni) {
  VecDotTable t = avx2_table();
  t.isa = vnni ? Isa::kAvx512Vnni : Isa::kAvx512;
#if defined(SLM_X86_KERNELS)
  set_dot(t, GgmlType::F32, x86::avx512::dot_f32_f32);
  set_dot(t, GgmlType::F16, x86::avx512::dot_f16_f16);
  set_dot(t, GgmlType::BF16, x86::avx512::dot_bf16_bf16);
  SLM_SET_FLOAT_GEMM_KERNELS(t, x86::avx512);
  if (vnni) {
    namespace k = x86::avx512vnni;
    set_dot(t, GgmlType::Q5_0, k::dot_q5_0_q8_0);
    set_dot(t, GgmlType::Q8_0, k::dot_q8_0_q8_0);
    set_dot(t, GgmlType::Q2_K, k::dot_q2_K_q8_K);
    set_dot(t, GgmlType::Q3_K, k::dot_q3_K_q8_K);
    set_dot(t, GgmlType::Q4_K, k::dot_q4_K_q8_K);
    set_dot(t, GgmlType::Q5_K, k::dot_q5_K_q8_K);
    set_dot(t, GgmlType::Q6_K, k::dot_q6_K_q8_K);
    set_dot(t, GgmlType::IQ4_XS, k::dot_iq4_xs_q8_K);
    SLM_SET_GEMM_KERNELS(t, k, 4, 8, 16);
    SLM_SET_INTERLEAVED_KERNELS(t, k);
  } else {
    namespace k = x86::avx512;
    set_dot(t, GgmlType::Q5_0, k::dot_q5_0_q8_0);
    set_dot(t, GgmlType::Q8_0, k::dot_q8_0_q8_0);
    set_dot(t, GgmlType::Q2_K, k::dot_q2_K_q8_K);
    set_dot(t, GgmlType::Q3_K, k::dot_q3_K_q8_K);
    set_dot(t, GgmlType::Q4_K, k::dot_q4_K_q8_K);
    set_dot(t, GgmlType::Q5_K, k::dot_q5_K_q8_K);
    set_dot(t, GgmlType::Q6_K, k::dot_q6_K_q8_K);
    set_dot(t, GgmlType::IQ4_XS, k::dot_iq4_xs_q8_K);
    SLM_SET_GEMM_KERNELS(t, k, 2, 2, 8);
  }
#endif
  return t;
}

}  // namespace

const VecDotKernel* VecDotTable::find(GgmlType weight_type) const {
  const auto id = static_cast<uint32_t>(weight_type);
  if (id >= kMaxGgmlTypeId || kernels[id].dot == nullptr) return nullptr;
  return &kernels[id];
}

const VecDotTable& vec_dot_table(Isa isa) {
  return isa_table(isa, [](Isa family) {
    switch (family) {
      case Isa::kScalar: return scalar_table();
      case Isa::kAvx2: return avx2_table();
      case Isa::kAvxVnni: return avxvnni_table();
      case Isa::kAvx512: return avx512_table(false);
      case Isa::kAvx512Vnni: return avx512_table(true);
    }
    throw Error("unknown ISA family");
  });
}

const VecDotTable& active_vec_dot_table() {
  static const VecDotTable& table = vec_dot_table(selected_isa());
  return table;
}


}  // namespace slm
