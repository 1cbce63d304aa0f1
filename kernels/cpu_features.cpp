// CPUID/XGETBV feature detection and the SLM_ISA override. A feature counts only when
// the CPU reports it AND the OS has enabled saving the registers it uses (XCR0), which
// is what makes the instructions usable rather than merely present.
#include "kernels/cpu_features.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define SLM_CPU_X86 1
#endif

namespace slm {

namespace {

#if defined(SLM_CPU_X86)

struct CpuidRegs {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidRegs cpuid(uint32_t leaf, uint32_t subleaf) {
  CpuidRegs r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

// XCR0: which register states the OS saves on context switches. Only call when CPUID
// reports OSXSAVE; _xgetbv would need -mxsave, so the instruction is spelled out.
uint64_t read_xcr0() {
  uint32_t lo = 0;
  uint32_t hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

constexpr bool bit(uint32_t reg, int n) { return ((reg >> n) & 1u) != 0; }

CpuFeatures detect() {
  CpuFeatures f;
  const uint32_t max_leaf = cpuid(0, 0).eax;
  if (max_leaf < 1) return f;
  const CpuidRegs leaf1 = cpuid(1, 0);
  const bool fma = bit(leaf1.ecx, 12);
  const bool osxsave = bit(leaf1.ecx, 27);
  const bool avx = bit(leaf1.ecx, 28);
  const bool f16c = bit(leaf1.ecx, 29);
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;     // SSE and AVX state
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;   // plus opmask, ZMM_Hi256, Hi16_ZMM
  if (!os_ymm || max_leaf < 7) return f;
  const CpuidRegs leaf7 = cpuid(7, 0);
  f.avx2 = bit(leaf7.ebx, 5) && fma && f16c;
  if (leaf7.eax >= 1) f.avx_vnni = f.avx2 && bit(cpuid(7, 1).eax, 4);
  if (os_zmm && f.avx2) {
    f.avx512f = bit(leaf7.ebx, 16);
    f.avx512bw = f.avx512f && bit(leaf7.ebx, 30);
    f.avx512vl = f.avx512f && bit(leaf7.ebx, 31);
    f.avx512vnni = f.avx512f && bit(leaf7.ecx, 11);
  }
  return f;
}

#else

CpuFeatures detect() { return {}; }

#endif

bool supports(const CpuFeatures& f, Isa isa) {
  switch (isa) {
    case Isa::kScalar: return true;
    case Isa::kAvx2: return f.avx2;
    case Isa::kAvxVnni: return f.avx2 && f.avx_vnni;
    case Isa::kAvx512: return f.avx2 && f.avx512f && f.avx512bw && f.avx512vl;
    case Isa::kAvx512Vnni: return f.avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
  }
  return false;
}

Isa choose_isa() {
  const Isa best = best_isa();
  const char* env = std::getenv("SLM_ISA");
  if (env == nullptr || *env == '\0') return best;
  const std::optional<Isa> wanted = parse_isa(env, cpu_features());
  if (!wanted) {
    std::fprintf(stderr, "slm: unknown SLM_ISA=%s (expected scalar, avx2, avxvnni or avx512); using %s\n", env,
                 isa_name(best));
    return best;
  }
  if (!cpu_supports(*wanted)) {
    std::fprintf(stderr, "slm: SLM_ISA=%s, but this CPU does not support %s; using %s\n", env,
                 isa_name(*wanted), isa_name(best));
    return best;
  }
  return *wanted;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvxVnni: return "avxvnni";
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx512Vnni: return "avx512vnni";
  }
  return "unknown";
}

bool cpu_supports(Isa isa) { return supports(cpu_features(), isa); }

// avxvnni comes before avx512 (without VNNI): a vpdpbusd on ymm does the work of a
// pmaddubsw/pmaddwd pair on zmm, and on a Sapphire Rapids core, which has both families,
// Gemma 3 270M processes a prompt 45% and decodes 9% faster with avxvnni (one thread,
// CPU time; bench/RESULTS.md).
Isa best_isa() {
  for (Isa isa : {Isa::kAvx512Vnni, Isa::kAvxVnni, Isa::kAvx512, Isa::kAvx2}) {
    if (cpu_supports(isa)) return isa;
  }
  return Isa::kScalar;
}

std::optional<Isa> parse_isa(std::string_view name, const CpuFeatures& cpu) {
  if (name == "scalar") return Isa::kScalar;
  if (name == "avx2") return Isa::kAvx2;
  if (name == "avxvnni") return Isa::kAvxVnni;
  if (name == "avx512") return supports(cpu, Isa::kAvx512Vnni) ? Isa::kAvx512Vnni : Isa::kAvx512;
  if (name == "avx512vnni") return Isa::kAvx512Vnni;
  return std::nullopt;
}

Isa selected_isa() {
  static const Isa isa = choose_isa();
  return isa;
}

}  // namespace slm
