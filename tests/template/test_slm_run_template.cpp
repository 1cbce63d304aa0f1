// `slm-run template` end to end: every shared chat-template case rendered through the
// CLI prints exactly jinja2's text (or fails with one line when the template raises);
// --messages with a model fills in its special tokens and its built-in template.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/test_data.h"

namespace slm::test {
namespace {

namespace fs = std::filesystem;

std::string slm_run() { return tools_dir() + "/slm-run"; }

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(SlmRunTemplate, EverySharedCaseRendersExactly) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(shared_path("chat-templates/cases"))) {
    SCOPED_TRACE(e.path().string());
    const auto c = nlohmann::ordered_json::parse(read_file(e.path().string()));
    const std::string context = write_temp("context.json", c["context"].dump());
    const std::string tmpl = shared_path("chat-templates/templates/" + c["template"].get<std::string>());
    const CommandResult r =
        run_command(slm_run() + " template --chat-template " + shell_quote(tmpl) + " --context " + shell_quote(context));
    if (c.contains("expected")) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out, c["expected"].get<std::string>());
    } else {
      EXPECT_EQ(r.exit_code, 1);
      EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    }
    ++n;
  }
  EXPECT_GE(n, 44u);
}

TEST(SlmRunTemplate, MessagesWithTheModelsOwnTemplate) {
  const std::string smollm2 = smollm2_path();
  if (smollm2.empty()) return;
  const std::string messages = write_temp(
      "messages.json", R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}])");
  const CommandResult r = run_command(slm_run() + " template -m " + shell_quote(smollm2) + " --messages " + shell_quote(messages));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST(SlmRunTemplate, BuiltInGemmaTemplateForTheBaseModel) {
  const std::string gemma = gemma_path();
  if (gemma.empty()) return;
  const std::string messages = write_temp(
      "gemma.json",
      R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Bye"}])");
  const CommandResult r = run_command(slm_run() + " template -m " + shell_quote(gemma) + " --messages " + shell_quote(messages));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
            "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n");
}

TEST(SlmRunTemplate, Errors) {
  const std::string bad = write_temp("bad.jinja", "{% for x in %}");
  const std::string ctx = write_temp("ctx.json", R"({"messages":[]})");
  CommandResult r = run_command(slm_run() + " template --chat-template " + shell_quote(bad) + " --context " + shell_quote(ctx));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("chat template: line 1"), std::string::npos) << r.err;
  r = run_command(slm_run() + " template --chat-template " + shell_quote(bad));
  EXPECT_EQ(r.exit_code, 1);
  const std::string not_json = write_temp("not.json", "{");
  const std::string good = write_temp("good.jinja", "{{ messages | length }}");
  r = run_command(slm_run() + " template --chat-template " + shell_quote(good) + " --context " + shell_quote(not_json));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invalid JSON"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace slm::test
