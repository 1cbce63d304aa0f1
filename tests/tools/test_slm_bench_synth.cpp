// `slm-bench synth`: a random-weight model of the asked shape that slm loads and runs,
// and that slm-quantize turns into the usual file types; bad shapes are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "slm/gguf.h"
#include "slm/slm.hpp"
#include "tests/support/test_data.h"

namespace slm::test {
namespace {

std::string tool(const std::string& name) { return shell_quote(tools_dir() + "/" + name); }

TEST(SlmBenchSynth, WritesARunnableModelOfTheAskedShape) {
  for (const char* arch : {"llama", "qwen2"}) {
    SCOPED_TRACE(arch);
    const std::string path = ::testing::TempDir() + "/slm_synth_" + arch + ".gguf";
    const CommandResult r = run_command(tool("slm-bench") + " synth --arch " + arch +
                                        " --layers 2 --embd 64 --heads 4 --kv-heads 2 --ff 96 --vocab 300 -o " +
                                        shell_quote(path));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    {
      const GgufFile f = GgufFile::open(path);
      EXPECT_EQ(f.get_string("general.architecture"), arch);
      EXPECT_EQ(f.get_int(std::string(arch) + ".attention.head_count_kv"), 2);
      EXPECT_EQ(f.get("tokenizer.ggml.tokens").array_size(), 300u);
      EXPECT_EQ(f.tensors().size(), std::string(arch) == "qwen2" ? 2u + 2 * 12 : 2u + 2 * 9);
    }
    const std::string q = path + ".q4_0";
    const CommandResult quantized = run_command(tool("slm-quantize") + " " + shell_quote(path) + " " + shell_quote(q) + " Q4_0");
    ASSERT_EQ(quantized.exit_code, 0) << quantized.err;
    const api::Model model(q);
    EXPECT_EQ(model.n_vocab(), 300);
    api::Session session(model);
    const std::vector<float> logits = session.eval({1, 300 - 1, 42}, false);
    ASSERT_EQ(logits.size(), 300u);
    for (float x : logits) ASSERT_TRUE(std::isfinite(x));
  }
}

TEST(SlmBenchSynth, RefusesImpossibleShapes) {
  const std::string out = shell_quote(::testing::TempDir() + "/slm_synth_bad.gguf");
  for (const char* args : {"--shape nope", "--arch mamba --layers 1 --embd 8 --heads 1 --kv-heads 1 --ff 8 --vocab 300",
                           "--arch llama --layers 1 --embd 64 --heads 3 --kv-heads 2 --ff 8 --vocab 300",
                           "--arch llama --layers 1 --embd 64 --heads 4 --kv-heads 2 --ff 8 --vocab 10",
                           "--shape smollm2-135m --type Q4_0"}) {
    const CommandResult r = run_command(tool("slm-bench") + " synth " + args + " -o " + out);
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_FALSE(r.err.empty()) << args;
  }
}

}  // namespace
}  // namespace slm::test
