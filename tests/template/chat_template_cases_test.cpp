// Every conformance case in ../shared/chat-templates/cases renders byte-identical to
// jinja2's output (or fails when jinja2 raised).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "slm/chat_template.h"
#include "tests/support/test_data.h"

namespace {

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::error_code ec;
  std::filesystem::directory_iterator it(slm::test::shared_path("chat-templates/cases"), ec);
  if (ec) return names;
  for (const auto& entry : it) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

class ChatTemplateCase : public testing::TestWithParam<std::string> {};

TEST_P(ChatTemplateCase, MatchesJinja2) {
  std::string text = slm::test::read_file(slm::test::shared_path("chat-templates/cases/" + GetParam() + ".json"));
  ASSERT_FALSE(text.empty());
  auto data = nlohmann::ordered_json::parse(text);
  std::string source = slm::test::read_file(
      slm::test::shared_path("chat-templates/templates/" + data["template"].get<std::string>()));
  ASSERT_FALSE(source.empty());
  auto tmpl = slm::ChatTemplate::parse(source);
  if (data.contains("error")) {
    try {
      std::string out = tmpl.render(data["context"]);
      FAIL() << "expected an error (" << data["error"] << "), rendered:\n" << out;
    } catch (const slm::ChatTemplateRaised& e) {
      // jinja2's message is "TemplateError: <the template's message>".
      std::string expected = data["error"].get<std::string>();
      EXPECT_NE(expected.find(e.what()), std::string::npos) << e.what() << " vs " << expected;
    }
    return;
  }
  EXPECT_EQ(tmpl.render(data["context"]), data["expected"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Shared, ChatTemplateCase, testing::ValuesIn(case_names()), test_name);

TEST(ChatTemplateCases, AllPresent) { EXPECT_EQ(case_names().size(), 44u); }

}  // namespace
