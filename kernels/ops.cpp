// The per-ISA tables of ops.h's dispatched operations (this file is built without ISA
// flags: it only stores the SIMD functions) and the entry points that use the selected one.
#include "kernels/ops.h"

#include "kernels/ops_ref.h"

#if defined(SLM_X86_KERNELS)
#include "kernels/x86/ops_x86.h"
#endif

namespace slm {

namespace {

OpsKernels scalar_kernels() {
  OpsKernels t;
  t.softmax = ops_ref::softmax;
  t.swiglu = ops_ref::swiglu;
  t.geglu = ops_ref::geglu;
  t.f32_to_f16 = ops_ref::f32_to_f16;
  t.f16_to_f32 = ops_ref::f16_to_f32;
  return t;
}

// Every x86 family uses the AVX2 kernels (the AVX-512 tree of a 16-value sum is two
// 8-lane halves added first, so 8-lane code reproduces it).
OpsKernels x86_kernels(Isa isa) {
  OpsKernels t = scalar_kernels();
  t.isa = isa;
#if defined(SLM_X86_KERNELS)
  t.softmax = x86::avx2::softmax;
  t.swiglu = x86::avx2::swiglu;
  t.geglu = x86::avx2::geglu;
  t.f32_to_f16 = x86::avx2::f32_to_f16;
  t.f16_to_f32 = x86::avx2::f16_to_f32;
#endif
  return t;
}

const OpsKernels& active() {
  static const OpsKernels& table = ops_kernels(selected_isa());
  return table;
}

}  // namespace

const OpsKernels& ops_kernels(Isa isa) {
  return isa_table(isa, [](Isa family) { return family == Isa::kScalar ? scalar_kernels() : x86_kernels(family); });
}

void softmax(float* x, int64_t n, int phase) { active().softmax(x, n, phase); }

void swiglu(const float* gate, const float* up, float* y, int64_t n) { active().swiglu(gate, up, y, n); }

void geglu(const float* gate, const float* up, float* y, int64_t n) { active().geglu(gate, up, y, n); }

void f32_to_f16_row(const float* x, uint16_t* y, int64_t n) { active().f32_to_f16(x, y, n); }

void f16_to_f32_row(const uint16_t* x, float* y, int64_t n) { active().f16_to_f32(x, y, n); }

}  // namespace slm
