// Which SIMD instruction sets this CPU (and its OS) supports, and which one the kernels
// use. Detection runs CPUID and XGETBV once; this file is compiled without ISA flags so
// it runs anywhere.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace slm {

struct CpuFeatures {
  bool avx2 = false;  // AVX2 with FMA and F16C, and the OS saves YMM state
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;  // AVX512_VNNI (vpdpbusd/vpdpwssd on zmm, and on ymm with VL)
  bool avx_vnni = false;    // VEX-encoded AVX-VNNI: vpdpbusd/vpdpwssd on ymm (Alder Lake and later, Zen 5)
};

// Detected once; all false on other architectures.
const CpuFeatures& cpu_features();

// Kernel families. Every SIMD family needs AVX2 + FMA + F16C; avxvnni and avx512 add
// independent features on top of it (Alder Lake has AVX-VNNI without AVX-512, Zen 4
// AVX-512 with its VNNI but not the VEX-encoded AVX-VNNI), and avx512vnni needs
// everything avx512 does.
enum class Isa : uint8_t {
  kScalar,      // portable C++, the reference
  kAvx2,        // AVX2 + FMA + F16C
  kAvxVnni,     // kAvx2 plus AVX-VNNI (vpdpbusd/vpdpwssd on ymm)
  kAvx512,      // kAvx2 plus AVX-512 F/BW/VL
  kAvx512Vnni,  // kAvx512 plus AVX512_VNNI
};
inline constexpr Isa kAllIsas[] = {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512, Isa::kAvx512Vnni};

// The kernel tables of one kind, one per family, built once by make(isa) on first use
// (each family's table may be built and inspected on any CPU, its kernels called only
// where cpu_supports() says so). Each caller passes its own `make` lambda, so each kind
// of table gets its own storage.
template <class Make>
const auto& isa_table(Isa isa, Make make) {
  using Table = decltype(make(Isa::kScalar));
  static const std::array<Table, std::size(kAllIsas)> tables = [&] {
    std::array<Table, std::size(kAllIsas)> t{};
    for (size_t i = 0; i < t.size(); ++i) t[i] = make(kAllIsas[i]);
    return t;
  }();
  return tables[static_cast<size_t>(isa)];
}

const char* isa_name(Isa isa);  // "scalar", "avx2", "avxvnni", "avx512", "avx512vnni"
bool cpu_supports(Isa isa);
// The family this CPU supports that comes first in the order avx512vnni, avxvnni, avx512,
// avx2, scalar (why avxvnni before avx512: cpu_features.cpp).
Isa best_isa();

// The family named by an SLM_ISA value: "scalar", "avx2", "avxvnni", "avx512" (the best
// AVX-512 family the CPU has; "avx512vnni" also accepted). nullopt for any other text.
std::optional<Isa> parse_isa(std::string_view name, const CpuFeatures& cpu);

// The family the kernels use, chosen once: best_isa(), or SLM_ISA if set. A request the
// CPU cannot run, or an unknown name, prints a message to stderr and falls back to
// best_isa().
Isa selected_isa();

}  // namespace slm
