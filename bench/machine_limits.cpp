#include "machine_limits.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "command_output.h"
#include "kernels/cpu_features.h"
#include "limits_x86.h"
#include "slm/error.h"

namespace slm::bench {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Best of three: `work(thread)` on n threads at once, returning the operations (or bytes)
// each did; the total per second of wall time.
double best_rate(int n_threads, const std::function<double(int)>& work) {
  double best = 0.0;
  for (int round = 0; round < 3; ++round) {
    std::vector<double> done(static_cast<size_t>(n_threads));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 1; t < n_threads; ++t) pool.emplace_back([&, t] { done[static_cast<size_t>(t)] = work(t); });
    done[0] = work(0);
    for (std::thread& th : pool) th.join();
    const double elapsed = seconds_since(start);
    double total = 0.0;
    for (double d : done) total += d;
    best = std::max(best, total / elapsed);
  }
  return best;
}

// Iterations of a peak-rate loop that take about 0.1 s on a fast core.
constexpr int64_t kIterations = 20'000'000;

PeakRate peak(const char* name, double (*loop)(int64_t, int), int threads) {
  PeakRate p;
  p.name = name;
  p.gops_1 = best_rate(1, [&](int t) { return loop(kIterations, t + 1); }) / 1e9;
  p.gops_all = best_rate(threads, [&](int t) { return loop(kIterations, t + 1); }) / 1e9;
  return p;
}

// Bytes read per second from a 1 GiB buffer (far above any cache), split between threads.
double read_bandwidth(const uint8_t* buffer, size_t bytes, int n_threads) {
  const size_t share = bytes / static_cast<size_t>(n_threads) / 128 * 128;
  return best_rate(n_threads, [&](int t) {
    volatile uint64_t sink = x86::read_all(buffer + static_cast<size_t>(t) * share, share);
    (void)sink;
    return static_cast<double>(share);
  });
}

}  // namespace

double MachineLimits::int8_gops(int n_threads) const {
  if (int8.empty()) return 0.0;
  return n_threads > 1 ? int8.back().gops_all : int8.back().gops_1;
}

MachineLimits measure_machine_limits(int threads) {
  MachineLimits m;
  m.threads = threads;
  const CpuFeatures& cpu = cpu_features();
  if (!cpu.avx2) throw Error("slm-bench limits measures x86 CPUs with AVX2 only");
  m.int8.push_back(peak("int8 avx2 (vpmaddubsw+vpmaddwd, ymm)", x86::int8_avx2, threads));
  m.fp32.push_back(peak("fp32 avx2 (vfmadd, ymm)", x86::fp32_avx2, threads));
  if (cpu_supports(Isa::kAvx512)) {
    m.int8.push_back(peak("int8 avx512 (vpmaddubsw+vpmaddwd, zmm)", x86::int8_avx512bw, threads));
    m.fp32.push_back(peak("fp32 avx512 (vfmadd, zmm)", x86::fp32_avx512, threads));
  }
  if (cpu_supports(Isa::kAvxVnni)) m.int8.push_back(peak("int8 avxvnni (vpdpbusd, ymm)", x86::int8_avxvnni, threads));
  if (cpu_supports(Isa::kAvx512Vnni)) {
    m.int8.push_back(peak("int8 avx512vnni (vpdpbusd, zmm)", x86::int8_avx512vnni, threads));
  }
  const auto by_rate = [](const PeakRate& a, const PeakRate& b) { return a.gops_1 < b.gops_1; };
  std::sort(m.int8.begin(), m.int8.end(), by_rate);
  std::sort(m.fp32.begin(), m.fp32.end(), by_rate);

  constexpr size_t kBufferBytes = size_t{1} << 30;
  void* p = ::mmap(nullptr, kBufferBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw Error("slm-bench limits: cannot map a 1 GiB buffer");
  const std::unique_ptr<void, std::function<void(void*)>> buffer(p, [](void* q) { ::munmap(q, kBufferBytes); });
  std::memset(p, 1, kBufferBytes);  // real pages, not the shared zero page
  m.read_gbps_1 = read_bandwidth(static_cast<const uint8_t*>(p), kBufferBytes, 1) / 1e9;
  m.read_gbps_all = read_bandwidth(static_cast<const uint8_t*>(p), kBufferBytes, threads) / 1e9;
  return m;
}

MachineLimits machine_limits_from_child(int threads) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string cmd = shell_quote(self) + " limits -t " + std::to_string(threads) + " -o json";
  const CommandOutput child = run_command(cmd);
  const nlohmann::json j = nlohmann::json::parse(child.out, nullptr, false);
  if (child.status != 0 || !j.is_object()) throw Error("measuring the machine's limits failed: " + cmd);
  MachineLimits m;
  m.threads = j.at("threads");
  m.read_gbps_1 = j.at("read_gbps_1");
  m.read_gbps_all = j.at("read_gbps_all");
  for (const char* kind : {"int8", "fp32"}) {
    for (const nlohmann::json& r : j.at(kind)) {
      (std::string(kind) == "int8" ? m.int8 : m.fp32).push_back({r.at("name"), r.at("gops_1"), r.at("gops_all")});
    }
  }
  return m;
}

}  // namespace slm::bench
