// What this machine can do at most, measured by slm-bench itself (`slm-bench limits`):
// read bandwidth from memory, and the peak int8 and fp32 multiply-add rates of each SIMD
// family the CPU has. The other measurements state their speeds as a share of these.
#pragma once

#include <string>
#include <vector>

namespace slm::bench {

struct PeakRate {
  std::string name;        // e.g. "int8 avx512vnni (vpdpbusd zmm)"
  double gops_1 = 0.0;     // one thread, Gop/s (a multiply-add is 2 operations)
  double gops_all = 0.0;   // every thread
};

struct MachineLimits {
  int threads = 1;              // "all threads" above
  double read_gbps_1 = 0.0;     // one thread streaming a buffer far larger than the caches
  double read_gbps_all = 0.0;
  std::vector<PeakRate> int8;   // fastest last
  std::vector<PeakRate> fp32;   // fastest last

  double read_gbps(int n_threads) const { return n_threads > 1 ? read_gbps_all : read_gbps_1; }
  // The best int8 rate at n_threads (one or all).
  double int8_gops(int n_threads) const;
};

// Measures everything (about two seconds; a 1 GiB buffer for the bandwidth).
MachineLimits measure_machine_limits(int threads);

// The limits as `slm-bench limits -o json` prints them, measured in a child process so
// that its buffer does not count in the caller's peak resident memory. Throws on failure.
MachineLimits machine_limits_from_child(int threads);

}  // namespace slm::bench
