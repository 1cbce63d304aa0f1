// Errors and limits: unsupported constructs are named with their line, malformed
// templates fail cleanly, and hostile templates stop within bounded work.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "slm/chat_template.h"

namespace {

const char* kContext = R"({"messages": [{"role": "user", "content": "hi"}], "s": "text"})";

std::string render(const std::string& source, const char* context = kContext) {
  return slm::ChatTemplate::parse(source).render(nlohmann::ordered_json::parse(context));
}

// The message of the slm::Error thrown by parsing or rendering `source`.
std::string error_of(const std::string& source) {
  try {
    render(source);
  } catch (const slm::ChatTemplateRaised& e) {
    return std::string("raised: ") + e.what();
  } catch (const slm::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << source;
  return "";
}

void expect_error(const std::string& source, const std::string& part) {
  std::string message = error_of(source);
  EXPECT_NE(message.find(part), std::string::npos) << "message: " << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << "multi-line message: " << message;
}

TEST(ChatTemplateErrors, RaiseExceptionKeepsTheTemplateMessage) {
  try {
    render("{{ raise_exception('Roles must alternate!') }}");
    FAIL() << "expected ChatTemplateRaised";
  } catch (const slm::ChatTemplateRaised& e) {
    EXPECT_STREQ(e.what(), "Roles must alternate!");
  }
}

TEST(ChatTemplateErrors, UnsupportedConstructsAreNamedWithTheirLine) {
  expect_error("a\n{% include 'other.jinja' %}", "line 2: unsupported tag 'include'");
  expect_error("{% extends 'base' %}", "unsupported tag 'extends'");
  expect_error("{% for x in [1] recursive %}{% endfor %}", "recursive");
  expect_error("\n\n{{ s|center(9) }}", "line 3: unsupported filter 'center'");
  expect_error("{{ s.zfill(9) }}", "unsupported string method 'zfill'");
  expect_error("{{ cycler('a') }}", "unsupported global function 'cycler'");
  expect_error("{{ f(*args) }}", "unsupported");
  expect_error("{{ 'abc'.upper }}", "cannot print");          // Python prints an address
  expect_error("{{ [1, 2]|map('string') }}", "generator");  // likewise
  expect_error("{{ 99999999999 * 99999999999 }}", "integer overflow");
}

TEST(ChatTemplateErrors, UnknownFiltersAndTestsFailAtParseTime) {
  EXPECT_THROW(slm::ChatTemplate::parse("{% for x in [] %}{{ x|frobnicate }}{% endfor %}"), slm::Error);
  EXPECT_THROW(slm::ChatTemplate::parse("{{ x is frobnicated }}"), slm::Error);
  // ...except inside {% if %} or an inline if, where jinja2 defers them to when they run.
  EXPECT_EQ(render("{% if false %}{{ x|frobnicate }}{% endif %}ok"), "ok");
  expect_error("{% if true %}{{ x|frobnicate }}{% endif %}", "no filter named 'frobnicate'");
}

TEST(ChatTemplateErrors, MalformedTemplates) {
  expect_error("{% if true %}never closed", "missing {% endif %}");
  expect_error("{% for m in messages %}", "missing {% endfor %}");
  expect_error("{{ unterminated", "missing '}}'");
  expect_error("{% if true", "missing '%}'");
  expect_error("{# comment", "missing end of comment tag");
  expect_error("{{ 'open string }}", "unterminated string");
  expect_error("{{ 1 + }}", "line 1");
  expect_error("{% endif %}", "unexpected 'endif'");
  expect_error("{% break %}", "'break' outside loop");
  expect_error("{{ (1 }}", "line 1");
  expect_error("{{ x ]] }}", "unexpected ']'");
  expect_error(std::string("{{ '\xff' }}"), "not valid UTF-8");
}

TEST(ChatTemplateErrors, RuntimeErrorsCarryTheLine) {
  expect_error("line1\n{{ undefined_var.attr }}", "line 2: 'undefined_var' is undefined");
  expect_error("{{ 'a' + 1 }}", "can only concatenate str");
  expect_error("{{ 1 // 0 }}", "division or modulo by zero");
  expect_error("{{ [1].append(2) }}", "unsafe");
  expect_error("{{ undefined_var|tojson }}", "not JSON serializable");
  expect_error("{% set x = 1 %}{% set x.y = 2 %}", "non-namespace");
}

TEST(ChatTemplateLimits, MacroRecursionIsBounded) {
  expect_error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "nesting too deep");
}

TEST(ChatTemplateLimits, DeeplyNestedSourceIsRejected) {
  std::string parens = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
  expect_error(parens, "nested too deeply");
  std::string chain = "{{ s";
  for (int i = 0; i < 5000; ++i) chain += "|trim";
  expect_error(chain + " }}", "nested too deeply");
  std::string nots = "{{ ";
  for (int i = 0; i < 5000; ++i) nots += "not ";
  expect_error(nots + "1 }}", "nested too deeply");
  std::string blocks;
  for (int i = 0; i < 5000; ++i) blocks += "{% if true %}";
  expect_error(blocks, "nested too deeply");
}

TEST(ChatTemplateLimits, LongLoopsStopWithinTheWorkBudget) {
  auto start = std::chrono::steady_clock::now();
  expect_error("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "work budget");
  expect_error("{% set ns = namespace(s='x') %}{% for a in range(100000) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
               "");
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 30.0);
}

TEST(ChatTemplateLimits, OutputIsBounded) {
  expect_error("{% for a in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "output larger than");
  auto tmpl = slm::ChatTemplate::parse("{{ s }}{{ s }}");
  slm::ChatTemplateLimits limits;
  limits.max_output_bytes = 6;
  tmpl.set_limits(limits);
  EXPECT_THROW(tmpl.render(nlohmann::ordered_json::parse(kContext)), slm::Error);
  expect_error("{{ 'x' * 1000000000 }}", "too large");
  expect_error("{{ range(1000000) }}", "MAX_RANGE");
}

TEST(ChatTemplateLimits, ValuesCannotNestWithoutBound) {
  expect_error("{% set ns = namespace(x=[]) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}{% endfor %}",
               "nested more than");
  expect_error("{% set ns = namespace() %}{% set ns.self = ns %}", "inside a namespace");
}

TEST(ChatTemplateApi, ContextKeyOrderIsKept) {
  auto tmpl = slm::ChatTemplate::parse("{{ tools|tojson }} {% for k in tools[0] %}{{ k }}{% endfor %}");
  EXPECT_EQ(tmpl.render_json(R"({"tools": [{"z": 1, "a": 2}]})"), R"([{"z": 1, "a": 2}] za)");
}

TEST(ChatTemplateApi, ParseOnceRenderMany) {
  auto tmpl = slm::ChatTemplate::parse("{% for m in messages %}[{{ m.role }}]{% endfor %}{{ eos_token }}");
  EXPECT_EQ(tmpl.render_json(R"({"messages": [{"role": "user"}], "eos_token": "</s>"})"), "[user]</s>");
  EXPECT_EQ(tmpl.render_json(R"({"messages": []})"), "");
  EXPECT_THROW(tmpl.render_json("not json"), slm::Error);
  EXPECT_THROW(tmpl.render_json("[1]"), slm::Error);
}

}  // namespace
