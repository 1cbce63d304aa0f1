// The loops behind machine_limits.cpp's peak rates, one per SIMD family, each compiled
// with exactly its family's flags. Each runs `iterations` rounds of independent
// multiply-add chains that stay in registers and returns how many operations it did
// (2 per multiply-add); `seed` keeps the compiler from folding the constants.
#pragma once

#include <cstddef>
#include <cstdint>

namespace slm::bench::x86 {

double int8_avx2(int64_t iterations, int seed);        // vpmaddubsw + vpmaddwd + vpaddd, ymm
double int8_avxvnni(int64_t iterations, int seed);     // vpdpbusd, ymm
double int8_avx512bw(int64_t iterations, int seed);    // vpmaddubsw + vpmaddwd + vpaddd, zmm
double int8_avx512vnni(int64_t iterations, int seed);  // vpdpbusd, zmm
double fp32_avx2(int64_t iterations, int seed);        // vfmadd, ymm
double fp32_avx512(int64_t iterations, int seed);      // vfmadd, zmm

// Reads n bytes (a multiple of 128) with 256-bit loads; returns a value depending on all.
uint64_t read_all(const uint8_t* p, size_t n);

}  // namespace slm::bench::x86
