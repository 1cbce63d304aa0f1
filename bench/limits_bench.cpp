// slm-bench limits [-t THREADS] [-o md|json]: this machine's read bandwidth and peak int8
// and fp32 rates per SIMD family (machine_limits.h), on one thread and on THREADS.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "bench_commands.h"
#include "machine_limits.h"

namespace slm::bench {

namespace {

nlohmann::ordered_json to_json(const MachineLimits& m) {
  nlohmann::ordered_json j{{"threads", m.threads}, {"read_gbps_1", m.read_gbps_1}, {"read_gbps_all", m.read_gbps_all}};
  for (const char* kind : {"int8", "fp32"}) {
    j[kind] = nlohmann::ordered_json::array();
    for (const PeakRate& r : std::string(kind) == "int8" ? m.int8 : m.fp32) {
      j[kind].push_back({{"name", r.name}, {"gops_1", r.gops_1}, {"gops_all", r.gops_all}});
    }
  }
  return j;
}

void print_markdown(const MachineLimits& m) {
  std::printf("| measurement | 1 thread | %d threads |\n| --- | ---: | ---: |\n", m.threads);
  std::printf("| read bandwidth, 1 GiB buffer | %.1f GB/s | %.1f GB/s |\n", m.read_gbps_1, m.read_gbps_all);
  for (const auto* rates : {&m.int8, &m.fp32}) {
    for (const PeakRate& r : *rates) std::printf("| %s | %.0f Gop/s | %.0f Gop/s |\n", r.name.c_str(), r.gops_1, r.gops_all);
  }
}

}  // namespace

void register_limits(CLI::App& app) {
  struct Options {
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string output = "md";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("limits", "This machine's read bandwidth and peak int8/fp32 rates per SIMD family");
  cmd->add_option("-t,--threads", o->threads, "Threads for the all-threads column")->check(CLI::Range(1, 1024));
  cmd->add_option("-o,--output", o->output, "Output format")->check(CLI::IsMember({"md", "json"}));
  cmd->callback([o] {
    const MachineLimits m = measure_machine_limits(o->threads);
    if (o->output == "json") {
      std::printf("%s\n", to_json(m).dump(2).c_str());
    } else {
      print_markdown(m);
    }
  });
}

}  // namespace slm::bench
