// `slm-run info` end to end: on every GGUF under ../shared (and the two real models)
// its --json output matches the gguf-py manifests in ../shared/reference/manifests;
// on malformed files it exits non-zero with a one-line error.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "slm/gguf.h"
#include "tests/loader/gguf_builders.h"
#include "tests/support/test_data.h"

namespace slm::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slm_run() { return tools_dir() + "/slm-run"; }

// Where the file a manifest describes lives: ../shared folders, or a real model.
std::string locate(const std::string& file) {
  for (const char* dir : {"reference/models", "vocab", "models"}) {
    const std::string p = shared_path(std::string(dir) + "/" + file);
    if (fs::exists(p)) return p;
  }
  if (file == "gemma-3-270m-q4_k_m.gguf") return gemma_path();
  if (file == "SmolLM2-135M-Instruct.Q4_1.gguf") return smollm2_path();
  ADD_FAILURE() << "no file for manifest " << file;
  return "";
}

void expect_value_matches(const json& want, const json& got, const std::string& key) {
  if (want.is_number_float() || got.is_number_float()) {
    const double w = want.get<double>();
    const double g = got.get<double>();
    EXPECT_NEAR(g, w, std::abs(w) * 1e-12) << key;
  } else {
    EXPECT_EQ(got, want) << key;
  }
}

void compare_with_manifest(const json& m, const json& got) {
  EXPECT_EQ(got["size"], m["size"]);
  EXPECT_EQ(got["version"], m["version"]);
  EXPECT_EQ(got["tensor_count"], m["tensor_count"]);
  EXPECT_EQ(got["kv_count"], m["kv_count"]);
  EXPECT_EQ(got["alignment"], m["alignment"]);
  if (m["tensor_count"].get<int>() > 0) {
    EXPECT_EQ(got["data_offset"], m["data_offset"]);
  }
  ASSERT_EQ(got["kv"].size(), m["kv"].size());
  for (size_t i = 0; i < m["kv"].size(); ++i) {
    const json& want = m["kv"][i];
    const json& have = got["kv"][i];
    const std::string key = want["key"];
    EXPECT_EQ(have["key"], want["key"]);
    EXPECT_EQ(have["type"], want["type"]) << key;
    if (want["type"] == "ARRAY") {
      EXPECT_EQ(have["element_type"], want["element_type"]) << key;
      EXPECT_EQ(have["length"], want["length"]) << key;
    } else {
      expect_value_matches(want["value"], have["value"], key);
    }
  }
  ASSERT_EQ(got["tensors"].size(), m["tensors"].size());
  uint64_t params = 0;
  for (size_t i = 0; i < m["tensors"].size(); ++i) {
    const json& want = m["tensors"][i];
    const json& have = got["tensors"][i];
    EXPECT_EQ(have["name"], want["name"]);
    EXPECT_EQ(have["ggml_type"], want["ggml_type"]) << want["name"];
    EXPECT_EQ(have["ggml_type_id"], want["ggml_type_id"]) << want["name"];
    EXPECT_EQ(have["dims"], want["dims"]) << want["name"];
    EXPECT_EQ(have["offset"], want["offset"]) << want["name"];
    EXPECT_EQ(have["n_bytes"], want["n_bytes"]) << want["name"];
    uint64_t n = 1;
    for (const json& d : want["dims"]) n *= d.get<uint64_t>();
    params += n;
  }
  EXPECT_EQ(got["n_params"].get<uint64_t>(), params);
}

TEST(SlmRunInfo, JsonMatchesEveryManifest) {
  size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(shared_path("reference/manifests"))) {
    const json manifest = json::parse(read_file(entry.path().string()));
    const std::string file = manifest["file"];
    SCOPED_TRACE(file);
    const std::string path = locate(file);
    if (path.empty()) continue;
    const CommandResult r = run_command(slm_run() + " info --json " + shell_quote(path));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    compare_with_manifest(manifest, json::parse(r.out));
    ++checked;
  }
  EXPECT_GE(checked, 40u);
}

TEST(SlmRunInfo, EveryGgufUnderSharedOpens) {
  size_t opened = 0;
  for (const auto& entry : fs::recursive_directory_iterator(shared_dir())) {
    if (entry.path().extension() != ".gguf") continue;
    SCOPED_TRACE(entry.path().string());
    const CommandResult r = run_command(slm_run() + " info " + shell_quote(entry.path().string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("tensors ("), std::string::npos);
    ++opened;
  }
  EXPECT_GE(opened, 40u);
}

TEST(SlmRunInfo, DefaultModelSummary) {
  const std::string path = gemma_path();
  if (path.empty()) return;
  const CommandResult r = run_command(slm_run() + " info " + shell_quote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("architecture:  gemma3"), std::string::npos);
  EXPECT_NE(r.out.find("parameters:    268.10 M"), std::string::npos);
  EXPECT_NE(r.out.find("Q5_0        81 tensors"), std::string::npos) << r.out.substr(0, 2000);
  EXPECT_NE(r.out.find("262144 tokens"), std::string::npos);
  EXPECT_NE(r.out.find("tokenizer.ggml.tokens"), std::string::npos);
  EXPECT_NE(r.out.find("opened in"), std::string::npos);
}

// Runs `slm-run info` with its address space capped at 128 MiB, so a file that made it
// allocate from a count in the file would fail with bad_alloc (exit 3, not 1).
// AddressSanitizer reserves terabytes of address space, so sanitized builds run uncapped.
CommandResult capped_info(const std::string& path) {
#if defined(__SANITIZE_ADDRESS__)
  const std::string cap;
#else
  const std::string cap = "ulimit -v 131072; ";
#endif
  return run_command(cap + slm_run() + " info " + shell_quote(path));
}

// Writes `bytes` to a temporary file and runs `slm-run info` on it.
CommandResult info_on(const std::vector<uint8_t>& bytes, const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  if (f == nullptr) return {-1, "", ""};
  if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return capped_info(path);
}

void expect_one_line_error(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
  EXPECT_EQ(r.err.rfind("slm-run: error: ", 0), 0u) << r.err;
}

TEST(SlmRunInfo, MalformedFilesGiveOneLineErrors) {
  ByteWriter huge_count;
  put_header(huge_count, ~uint64_t{0}, 0);
  expect_one_line_error(info_on(huge_count.bytes(), "huge_count.gguf"));

  ByteWriter bad_dims;
  put_header(bad_dims, 1, 0);
  put_tensor_info(bad_dims, "t", {~uint64_t{0}, 2}, 0, 0);
  expect_one_line_error(info_on(bad_dims.bytes(), "bad_dims.gguf"));

  const std::string real = read_file(shared_path("reference/models/ref-qwen2-Q4_0.gguf"));
  const std::vector<uint8_t> half(real.begin(), real.begin() + static_cast<std::ptrdiff_t>(real.size() / 2));
  expect_one_line_error(info_on(half, "half.gguf"));

  expect_one_line_error(info_on({}, "empty.gguf"));
  expect_one_line_error(capped_info("/nonexistent/model.gguf"));
  expect_one_line_error(capped_info(::testing::TempDir()));
}

TEST(SlmRunInfo, UsageErrorsExitNonZero) {
  EXPECT_NE(run_command(slm_run() + " info").exit_code, 0);
  EXPECT_NE(run_command(slm_run() + " no-such-command").exit_code, 0);
}

}  // namespace
}  // namespace slm::test
