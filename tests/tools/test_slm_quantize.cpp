// slm-quantize against llama-quantize's own outputs in ../shared/reference: the same type
// for every tensor (the K-quant mixes and --pure zoo files), byte-identical data for the
// types whose quantizers are llama.cpp's exact arithmetic (whole files identical), the
// metadata carried over, and one-line errors for bad arguments.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "slm/gguf.h"
#include "tests/support/test_data.h"

namespace slm::test {
namespace {

std::string model(const std::string& name) { return shared_path("reference/models/" + name + ".gguf"); }

CommandResult quantize(const std::string& in, const std::string& out, const std::string& args) {
  return run_command(shell_quote(tools_dir() + "/slm-quantize") + " " + shell_quote(in) + " " + shell_quote(out) + " " +
                     args);
}

// Same tensors in the same order with the same types and shapes; same data when `same_bytes`.
void expect_same_layout(const GgufFile& ours, const GgufFile& theirs, bool same_bytes) {
  ASSERT_EQ(ours.tensors().size(), theirs.tensors().size());
  for (size_t i = 0; i < ours.tensors().size(); ++i) {
    const GgufTensor& a = ours.tensors()[i];
    const GgufTensor& b = theirs.tensors()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(ggml_type_name(a.type), std::string(ggml_type_name(b.type))) << a.name;
    EXPECT_EQ(a.dims, b.dims) << a.name;
    if (same_bytes && a.n_bytes == b.n_bytes) {
      EXPECT_EQ(std::memcmp(a.data, b.data, a.n_bytes), 0) << a.name << " differs";
    }
  }
  EXPECT_EQ(ours.get_int("general.file_type"), theirs.get_int("general.file_type"));
}

struct ZooCase {
  const char* type;
  bool same_bytes;  // our quantizer is llama.cpp's arithmetic for this type
};

TEST(SlmQuantize, PureFilesMatchTheLlamaQuantizeZoo) {
  const ZooCase cases[] = {{"Q4_0", true},   {"Q4_1", true},    {"Q5_0", true},    {"Q5_1", true},
                           {"Q8_0", true},   {"F16", true},     {"BF16", true},    {"Q4_K_M", false},
                           {"Q5_K_M", false}, {"Q6_K", false},  {"IQ4_NL", false},  {"Q2_K", false},
                           {"Q3_K_M", false}, {"IQ4_XS", false}};
  const std::string out = ::testing::TempDir() + "/slm_quantize_zoo.gguf";
  for (const ZooCase& c : cases) {
    SCOPED_TRACE(c.type);
    const CommandResult r = quantize(model("ref-llama-F32"), out, std::string(c.type) + " --pure -t 2");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string reference = model(std::string("ref-llama-zoo-") + c.type);
    expect_same_layout(GgufFile::open(out), GgufFile::open(reference), c.same_bytes);
    if (c.same_bytes) {
      EXPECT_TRUE(read_file(out) == read_file(reference)) << "the files differ";
    }
  }
}

TEST(SlmQuantize, MixesChooseTheSameTypesAsLlamaQuantize) {
  const std::string out = ::testing::TempDir() + "/slm_quantize_mix.gguf";
  for (const char* name : {"ref-llama", "ref-gemma3"}) {
    SCOPED_TRACE(name);
    const std::string source = model(std::string(name) + (std::string(name) == "ref-llama" ? "-F32" : "-F16"));
    const CommandResult r = quantize(source, out, "Q4_K_M");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const GgufFile ours = GgufFile::open(out);
    expect_same_layout(ours, GgufFile::open(model(std::string(name) + "-Q4_K_M")), false);
    const GgufFile in = GgufFile::open(source);
    for (const GgufKv& kv : in.metadata()) {
      if (kv.key == "general.file_type") continue;
      const GgufValue* copied = ours.find(kv.key);
      ASSERT_NE(copied, nullptr) << kv.key;
      ASSERT_EQ(copied->size(), kv.value.size()) << kv.key;
      EXPECT_EQ(std::memcmp(copied->bytes(), kv.value.bytes(), kv.value.size()), 0) << kv.key;
    }
  }
}

TEST(SlmQuantize, BadArgumentsFailWithAMessage) {
  const std::string out = ::testing::TempDir() + "/slm_quantize_bad.gguf";
  CommandResult r = quantize(model("ref-llama-F32"), out, "Q9_X");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown type 'Q9_X'"), std::string::npos) << r.err;
  r = quantize("/nonexistent.gguf", out, "Q4_0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nonexistent"), std::string::npos) << r.err;
  r = quantize(model("ref-llama-F32"), "/nonexistent-dir/out.gguf", "Q4_0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace slm::test
