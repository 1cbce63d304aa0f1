// The `slm-bench -m ... -o json|csv|md` contract on a tiny reference model: one entry per
// test with llama-bench's field names and consistent numbers, and clear errors for bad
// options. (Speed itself is measured by bench/, never judged by tests.)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/test_data.h"

namespace slm::test {
namespace {

const char* kModel = "reference/models/ref-qwen3-Q4_0.gguf";

// Without measuring the machine's limits (seconds per run), except where a test says so.
std::string slm_bench(const std::string& args, bool limits = false) {
  return shell_quote(tools_dir() + "/slm-bench") + " -m " + shell_quote(shared_path(kModel)) +
         (limits ? " " : " --no-limits ") + args;
}

TEST(SlmBenchModel, JsonHasLlamaBenchFieldsForEveryTest) {
  const CommandResult r = run_command(slm_bench("-p 8,16 -n 4 -t 1,2 -r 2 -o json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 6u);  // (pp8, pp16, tg4) × 2 thread counts
  for (const nlohmann::json& e : j) {
    EXPECT_EQ(e["engine"], "slm");
    EXPECT_EQ(e["samples_ns"].size(), 2u);
    EXPECT_EQ(e["samples_ts"].size(), 2u);
    const int tokens = e["n_prompt"].get<int>() + e["n_gen"].get<int>();
    const double ns = e["samples_ns"][0].get<double>();
    EXPECT_GT(ns, 0);
    EXPECT_NEAR(e["samples_ts"][0].get<double>(), 1e9 * tokens / ns, 1e-6 * 1e9 * tokens / ns);
    EXPECT_GT(e["avg_ts"].get<double>(), 0);
    EXPECT_GE(e["stddev_ts"].get<double>(), 0);
    EXPECT_GT(e["model_size"].get<double>(), 0);
    EXPECT_GT(e["model_n_params"].get<double>(), 0);
  }
  EXPECT_EQ(j[0]["n_prompt"], 8);
  EXPECT_EQ(j[2]["n_gen"], 4);
  EXPECT_EQ(j[3]["n_threads"], 2);
}

TEST(SlmBenchModel, MarkdownAndCsvHaveOneRowPerTest) {
  CommandResult r = run_command(slm_bench("-p 8 -n 2 -r 1 -t 1 -d 4"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| pp8 @ d4 |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| tg2 @ d4 |"), std::string::npos) << r.out;
  r = run_command(slm_bench("-p 8 -n 0 -r 1 -t 1 -o csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("engine,model_filename,", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nslm,"), std::string::npos) << r.out;
}

// The machine's limits, measured by slm-bench itself: positive rates for every family
// listed, fastest last, and each end-to-end speed stated as a share of its limit.
TEST(SlmBenchModel, LimitsAndSharesOfThem) {
  const CommandResult limits = run_command(shell_quote(tools_dir() + "/slm-bench") + " limits -t 2 -o json");
  ASSERT_EQ(limits.exit_code, 0) << limits.err;
  const nlohmann::json m = nlohmann::json::parse(limits.out);
  EXPECT_EQ(m["threads"], 2);
  EXPECT_GT(m["read_gbps_1"].get<double>(), 0.1);
  ASSERT_FALSE(m["int8"].empty());
  ASSERT_FALSE(m["fp32"].empty());
  for (const char* kind : {"int8", "fp32"}) {
    double previous = 0;
    for (const auto& rate : m[kind]) {
      EXPECT_GT(rate["gops_1"].get<double>(), previous) << rate["name"];
      previous = rate["gops_1"].get<double>();
    }
  }
  const CommandResult r = run_command(slm_bench("-p 8 -n 2 -r 1 -t 1 -o json", true));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& e : nlohmann::json::parse(r.out)) EXPECT_GT(e["percent_of_limit"].get<double>(), 0) << e;
}

TEST(SlmBenchModel, BadOptionsFailWithAMessage) {
  for (const char* args : {"-p 0 -n 0", "-t 0", "-r 0", "-o xml", "--peer /nonexistent/llama-bench"}) {
    const CommandResult r = run_command(slm_bench(args));
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_FALSE(r.err.empty()) << args;
  }
  const CommandResult missing = run_command(shell_quote(tools_dir() + "/slm-bench") + " -m /nonexistent.gguf -r 1");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nonexistent"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace slm::test
