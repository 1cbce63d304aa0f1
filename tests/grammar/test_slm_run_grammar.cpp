// `slm-run grammar --check` end to end: verdict lines for accepted, rejected and
// incomplete instances, and the exit statuses for a bad grammar (2) and an unreadable
// instance (1). Needs the Gemma model file for its tokenizer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "tests/support/test_data.h"

namespace slm::test {
namespace {

namespace fs = std::filesystem;

class SlmRunGrammar : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "slm_grammar_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) {
    const std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  CommandResult check(const std::string& model, const std::string& grammar, const std::string& instances) {
    return run_command(shell_quote(tools_dir() + "/slm-run") + " grammar -m " + shell_quote(model) + " --grammar " +
                       shell_quote(grammar) + " --check " + instances);
  }
  std::string dir_;
};

TEST_F(SlmRunGrammar, PrintsOneVerdictPerInstance) {
  const std::string model = gemma_path();
  if (model.empty()) return;
  const std::string ok = write("ok.json", "{\"a\": [1, 2.5, {\"b\": null}], \"c\": \"d\\u00e9 \xc3\xa9\"}");
  const std::string bad = write("bad.json", "{\"a\": [1, 2,]}");
  const std::string open = write("open.json", "{\"a\": ");
  const CommandResult r = check(model, shared_path("gbnf/json.gbnf"),
                                shell_quote(ok) + " " + shell_quote(bad) + " " + shell_quote(open));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, ok + "\taccept\n" + bad + "\treject\ttoken 9 (\"]}\") at byte 12 not allowed\n" + open +
                       "\treject\tincomplete: the grammar expects more after byte 6\n");
}

TEST_F(SlmRunGrammar, MultiByteTextAgainstJapaneseGrammar) {
  const std::string model = gemma_path();
  if (model.empty()) return;
  const std::string jp = write("jp.txt", "こんにちは 世界");
  const std::string en = write("en.txt", "hello");
  const CommandResult r = check(model, shared_path("gbnf/japanese.gbnf"), shell_quote(jp) + " " + shell_quote(en));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, jp + "\taccept\n" + en + "\treject\ttoken 0 (\"hello\") at byte 0 not allowed\n");
}

TEST_F(SlmRunGrammar, BadGrammarExitsWithTwo) {
  const std::string model = gemma_path();
  if (model.empty()) return;
  const CommandResult r = check(model, write("g.gbnf", "root ::= \"a\" missing\n"), shell_quote(write("x", "a")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "slm-run: error: gbnf line 1 col 14: undefined rule 'missing'\n");
}

TEST_F(SlmRunGrammar, UnreadableInstanceExitsWithOne) {
  const std::string model = gemma_path();
  if (model.empty()) return;
  const CommandResult r = check(model, shared_path("gbnf/json.gbnf"), shell_quote(dir_ + "/absent.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "slm-run: error: " + dir_ + "/absent.json: cannot read\n");
}

}  // namespace
}  // namespace slm::test
