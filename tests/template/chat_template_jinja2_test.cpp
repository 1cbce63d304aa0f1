// Unit tests of Jinja constructs. Every expected text below was produced by
// Python's jinja2 3.1 with Hugging Face transformers' chat-template settings
// (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, the
// transformers tojson/raise_exception/strftime_now); regenerate rather than edit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "slm/chat_template.h"

namespace {

std::string render(const std::string& source, const char* context) {
  return slm::ChatTemplate::parse(source).render(nlohmann::ordered_json::parse(context));
}

TEST(ChatTemplateJinja2, TrimAndLstripBlocks) {
  EXPECT_EQ(render(R"JINJA(<ul>
  {% for x in l %}
    <li>{{ x }}</li>
  {% endfor %}
</ul>
)JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(<ul>
    <li>3</li>
    <li>1</li>
    <li>2</li>
</ul>)JINJA");
}

TEST(ChatTemplateJinja2, WhitespaceControlMinus) {
  EXPECT_EQ(render(R"JINJA(a  {%- if true -%}  b  {%- endif -%}  c
  {{- ' d ' -}}  e)JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(abc d e)JINJA");
}

TEST(ChatTemplateJinja2, PlusDisablesLstripAndTrim) {
  EXPECT_EQ(render(R"JINJA(x
  {%+ if true +%}
y
  {% endif %}z)JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(x
  
y
z)JINJA");
}

TEST(ChatTemplateJinja2, CommentsStripped) {
  EXPECT_EQ(render(R"JINJA(a
  {# note #}
b {#- tight -#} c)JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(a
bc)JINJA");
}

TEST(ChatTemplateJinja2, RawBlock) {
  EXPECT_EQ(render(R"JINJA({% raw %}{{ not evaluated }}{% endraw %})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA({{ not evaluated }})JINJA");
}

TEST(ChatTemplateJinja2, TrailingNewlineDropped) {
  EXPECT_EQ(render(R"JINJA(line
)JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(line)JINJA");
}

TEST(ChatTemplateJinja2, CrLfNormalized) {
  EXPECT_EQ(render(R"JINJA(a
{% if true %}
b
{% endif %}
)JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(a
b
)JINJA");
}

TEST(ChatTemplateJinja2, LoopVariables) {
  EXPECT_EQ(render(R"JINJA({% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }}|{% endfor %})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(1032TrueFalse3b|2121FalseFalse3ac|3210FalseTrue3b|)JINJA");
}

TEST(ChatTemplateJinja2, LoopFilterAndElse) {
  EXPECT_EQ(render(R"JINJA({% for x in l if x > 1 %}{{ x }}/{{ loop.length }} {% else %}none{% endfor %}{% for x in [] %}x{% else %}empty{% endfor %})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(3/2 2/2 empty)JINJA");
}

TEST(ChatTemplateJinja2, LoopCycleAndUnpack) {
  EXPECT_EQ(render(R"JINJA({% for k, v in d|items %}{{ loop.cycle('odd', 'even') }}:{{ k }}={{ v }} {% endfor %})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(odd:b=1 even:a=[1, 2] )JINJA");
}

TEST(ChatTemplateJinja2, BreakContinue) {
  EXPECT_EQ(render(R"JINJA({% for i in range(10) %}{% if i == 5 %}{% break %}{% endif %}{% if i is odd %}{% continue %}{% endif %}{{ i }}{% endfor %})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(024)JINJA");
}

TEST(ChatTemplateJinja2, LoopScopeDoesNotLeak) {
  EXPECT_EQ(render(R"JINJA({% set x = 1 %}{% for i in [1, 2] %}{% set x = x + i %}{{ x }}{% endfor %}{{ x }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(231)JINJA");
}

TEST(ChatTemplateJinja2, IfDoesNotScope) {
  EXPECT_EQ(render(R"JINJA({% if true %}{% set y = 'set in if' %}{% endif %}{{ y }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(set in if)JINJA");
}

TEST(ChatTemplateJinja2, Namespace) {
  EXPECT_EQ(render(R"JINJA({% set ns = namespace(count=0, names='') %}{% for m in messages %}{% set ns.count = ns.count + 1 %}{% set ns.names = ns.names ~ m.role[0] %}{% endfor %}{{ ns.count }} {{ ns.names }} {{ ns }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(4 suau <Namespace {'count': 4, 'names': 'suau'}>)JINJA");
}

TEST(ChatTemplateJinja2, MacroDefaultsAndKeywords) {
  EXPECT_EQ(render(R"JINJA({% macro tag(name, body='', attrs=none) %}<{{ name }}{% if attrs %} {{ attrs }}{% endif %}>{{ body }}</{{ name }}>{% endmacro %}{{ tag('b') }}{{ tag('i', 'x') }}{{ tag('a', attrs='href', body='y') }}{{ tag() }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(<b></b><i>x</i><a href>y</a><></>)JINJA");
}

TEST(ChatTemplateJinja2, RecursiveMacro) {
  EXPECT_EQ(render(R"JINJA({% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * fact(k - 1)|int }}{% endif %}{% endmacro %}{{ fact(6) }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(720)JINJA");
}

TEST(ChatTemplateJinja2, FilterBlockAndSetBlock) {
  EXPECT_EQ(render(R"JINJA({% filter upper %}shout {{ s }}{% endfilter %} {% set block %}
  kept
{% endset %}[{{ block }}] {% set t | trim %}  trimmed  {% endset %}[{{ t }}])JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(SHOUT HELLO WORLD [  kept
] [trimmed])JINJA");
}

TEST(ChatTemplateJinja2, Tests) {
  EXPECT_EQ(render(R"JINJA({{ x is defined }} {{ s is defined }} {{ none is none }} {{ s is string }} {{ d is mapping }} {{ l is iterable }} {{ l is sequence }} {{ n is number }} {{ f is float }} {{ n is integer }} {{ true is boolean }} {{ true is true }} {{ 0 is false }} {{ n is odd }} {{ n is even }} {{ 9 is divisibleby 3 }} {{ 'ab' is lower }} {{ 2 is in l }} {{ n is eq 3 }} {{ x is undefined }} {{ l is not string }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(False True True True True True True True True True True True False True False True True True True True True)JINJA");
}

TEST(ChatTemplateJinja2, InAndConcat) {
  EXPECT_EQ(render(R"JINJA({{ 'ell' in s }} {{ 4 in l }} {{ 'a' in d }} {{ 'z' not in s }} {{ 'n=' ~ n ~ ', f=' ~ f ~ ', none=' ~ none ~ ', undefined=' ~ x }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(True False True True n=3, f=1.5, none=None, undefined=)JINJA");
}

TEST(ChatTemplateJinja2, Slicing) {
  EXPECT_EQ(render(R"JINJA({{ l[::-1] }} {{ l[1:] }} {{ l[:-1] }} {{ s[::2] }} {{ s[-5:] }} {{ 'héllo'[1:3] }} {{ messages[-1].content }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA([2, 1, 3] [1, 2] [3, 1] HloWrd World él   2+2?  )JINJA");
}

TEST(ChatTemplateJinja2, Arithmetic) {
  EXPECT_EQ(render(R"JINJA({{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 1 + 2.0 }} {{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e-5 }} {{ 3 * 'ab' }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(3 -4 1 2 1024 0.5 3.5 2.0 3.0 0.30000000000000004 1e+16 1e-05 ababab 4 64)JINJA");
}

TEST(ChatTemplateJinja2, Comparisons) {
  EXPECT_EQ(render(R"JINJA({{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ none == none }} {{ 1 != 2 }} {{ (1, 2) == [1, 2] }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(True False True True True True True False)JINJA");
}

TEST(ChatTemplateJinja2, AndOrReturnOperands) {
  EXPECT_EQ(render(R"JINJA({{ 0 or 'x' }} {{ '' or [] }} {{ 'a' and 'b' }} {{ 0 and 'b' }} {{ not '' }} {{ none or 'default' }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(x [] b 0 True default)JINJA");
}

TEST(ChatTemplateJinja2, PythonReprs) {
  EXPECT_EQ(render(R"JINJA({{ [1, 'a', none, true, 1.0, {'k': [2, 'it\'s']}] }} {{ (1,) }} {{ () }} {{ d.items() }} {{ range(3) }} {{ {'a': 1}.keys() }} {{ ['tab\t', 'nl\n', 'q"'] }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA([1, 'a', None, True, 1.0, {'k': [2, "it's"]}] (1,) () dict_items([('b', 1), ('a', [1, 2])]) range(0, 3) dict_keys(['a']) ['tab\t', 'nl\n', 'q"'])JINJA");
}

TEST(ChatTemplateJinja2, StringFilters) {
  EXPECT_EQ(render(R"JINJA({{ '  pad  '|trim }}|{{ 'xxhixx'|trim('x') }}|{{ s|upper }}|{{ s|lower }}|{{ 'hello world'|capitalize }}|{{ 'hello big-world(x'|title }}|{{ s|replace('o', '0') }}|{{ s|length }}|{{ s|wordcount }}|{{ 'a\nb'|indent(2) }}|{{ 'a\nb'|indent(2, true) }}|{{ '<&>'|e }}|{{ s|string }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(pad|hi|HELLO WORLD|hello world|Hello world|Hello Big-World(X|Hell0 W0rld|11|2|a
  b|  a
  b|&lt;&amp;&gt;|Hello World)JINJA");
}

TEST(ChatTemplateJinja2, ListFilters) {
  EXPECT_EQ(render(R"JINJA({{ l|first }} {{ l|last }} {{ l|join('-') }} {{ l|sort }} {{ l|sort(reverse=true) }} {{ l|reverse|list }} {{ l|length }} {{ l|count }} {{ l|sum }} {{ l|min }} {{ l|max }} {{ [1, 1, 2]|unique|list }} {{ ['b', 'A', 'a']|sort }} {{ [1, 2, 3, 4, 5]|batch(2)|list }} {{ 'abc'|list }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(3 2 3-1-2 [1, 2, 3] [3, 2, 1] [2, 1, 3] 3 3 6 1 3 [1, 2] ['A', 'a', 'b'] [[1, 2], [3, 4], [5]] ['a', 'b', 'c'])JINJA");
}

TEST(ChatTemplateJinja2, DictFilters) {
  EXPECT_EQ(render(R"JINJA({{ d|dictsort }} {{ d|items|list }} {{ d|list }} {{ d|length }} {{ d.get('a') }} {{ d.get('zz', 'dflt') }} {{ d.keys()|list }} {{ d.values()|list }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA([('a', [1, 2]), ('b', 1)] [('b', 1), ('a', [1, 2])] ['b', 'a'] 2 [1, 2] dflt ['b', 'a'] [1, [1, 2]])JINJA");
}

TEST(ChatTemplateJinja2, SelectMapFilters) {
  EXPECT_EQ(render(R"JINJA({{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }} {{ messages|rejectattr('role', 'eq', 'user')|list|length }} {{ l|select('odd')|list }} {{ l|reject('odd')|list }} {{ l|map('string')|join(',') }} {{ messages|map(attribute='missing', default='?')|list }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(['Hi ☃', '  2+2?  '] 2 [3, 1] [2] 3,1,2 ['?', '?', '?', '?'])JINJA");
}

TEST(ChatTemplateJinja2, NumberFilters) {
  EXPECT_EQ(render(R"JINJA({{ '42'|int + 1 }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ '2.5'|float }} {{ 3|float }} {{ -3|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 3|round }} {{ 2.1|round(method='ceil') }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(43 4 0 7 2.5 3.0 3 2.0 4.0 2.67 3 3.0)JINJA");
}

TEST(ChatTemplateJinja2, DefaultFilter) {
  EXPECT_EQ(render(R"JINJA({{ x|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ none|d('d') }} {{ s|d('unused') }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(d  d None Hello World)JINJA");
}

TEST(ChatTemplateJinja2, Tojson) {
  EXPECT_EQ(render(R"JINJA({{ d|tojson }} {{ 'é "q" <b>'|tojson }} {{ [1.0, none, true]|tojson }} {{ d|tojson(indent=2) }} {{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }} {{ d|tojson(separators=(',', ':')) }} {{ {}|tojson(indent=4) }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA({"b": 1, "a": [1, 2]} "é \"q\" <b>" [1.0, null, true] {
  "b": 1,
  "a": [
    1,
    2
  ]
} {"a": 2, "b": 1} {"b":1,"a":[1,2]} {})JINJA");
}

TEST(ChatTemplateJinja2, StringMethods) {
  EXPECT_EQ(render(R"JINJA({{ s.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a b c'.split(' ', 1) }} {{ 'a.b.c'.rsplit('.', 1) }} {{ '  x  '.strip() }}|{{ '\n\nx'.lstrip('\n') }}|{{ 'x  '.rstrip() }}|{{ s.startswith('He') }} {{ s.endswith(('x', 'ld')) }} {{ s.replace('l', 'L', 2) }} {{ s.upper() }} {{ s.lower() }} {{ 'hELLO wORLD'.title() }} {{ s.find('o') }} {{ s.count('l') }} {{ '-'.join(['a', 'b']) }} {{ '{} + {}'.format(1, 2) }} {{ '%s=%d' % ('x', 3) }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(['Hello', 'World'] ['a', 'b', '', 'c'] ['a', 'b c'] ['a.b', 'c'] x|x|x|True True HeLLo World HELLO WORLD hello world Hello World 4 3 a-b 1 + 2 x=3)JINJA");
}

TEST(ChatTemplateJinja2, InlineIf) {
  EXPECT_EQ(render(R"JINJA({{ 'yes' if n > 2 else 'no' }} [{{ 'shown' if false }}] {{ (s if s else 'empty')|upper }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(yes [] HELLO WORLD)JINJA");
}

TEST(ChatTemplateJinja2, UndefinedPrintsEmpty) {
  EXPECT_EQ(render(R"JINJA([{{ x }}] [{{ d.missing }}] [{{ messages[9] }}] [{{ x|upper }}] [{{ x|length }}] [{{ x|list }}])JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA([] [] [] [] [0] [[]])JINJA");
}

TEST(ChatTemplateJinja2, SandboxedMutationIsUndefined) {
  EXPECT_EQ(render(R"JINJA([{{ l.append }}] [{{ d.pop }}])JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA([] [])JINJA");
}

TEST(ChatTemplateJinja2, StrftimeNow) {
  EXPECT_EQ(render(R"JINJA({{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d') }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(26 Jul 2024 2024-07-26)JINJA");
}

TEST(ChatTemplateJinja2, UnicodeLengthAndCase) {
  EXPECT_EQ(render(R"JINJA({{ 'héllo wörld'|length }} {{ 'héllo wörld'|upper }} {{ 'ÉCOLE'|lower }} {{ 'straße'|upper }} {{ 'é'|tojson }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA(11 HÉLLO WÖRLD école STRASSE "é")JINJA");
}

TEST(ChatTemplateJinja2, TopLevelAssignmentScoping) {
  EXPECT_EQ(render(R"JINJA({% macro show() %}[{{ n }}]{% endmacro %}{{ show() }}{% for i in [1] %}({{ n }}){% endfor %}{% set n = 5 %}{{ show() }}{% for i in [1] %}({{ n }}){% endfor %} {% macro f() %}[{{ s }}]{% endmacro %}{{ f() }}{% if true %}{% set s = 'in if' %}{% endif %}{{ f() }})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "n": 3, "f": 1.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2]}, "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true})JINJA"),
            R"JINJA([]()[5](5) [Hello World][in if])JINJA");
}

TEST(ChatTemplateJinja2, Gemma3WithSystem) {
  EXPECT_EQ(render(R"JINJA({{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- if messages[0]['content'] is string -%}
        {%- set first_user_prefix = messages[0]['content'] + '

' -%}
    {%- else -%}
        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '

' -%}
    {%- endif -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '
' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- elif message['content'] is iterable -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'image' -%}
                {{ '<start_of_image>' }}
            {%- elif item['type'] == 'text' -%}
                {{ item['text'] | trim }}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>
' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model
'}}
{%- endif -%}
)JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "bos_token": "<bos>", "add_generation_prompt": true})JINJA"),
            R"JINJA(<bos><start_of_turn>user
Be brief.

Hi ☃<end_of_turn>
<start_of_turn>model
Hello!<end_of_turn>
<start_of_turn>user
2+2?<end_of_turn>
<start_of_turn>model
)JINJA");
}

TEST(ChatTemplateJinja2, Gemma3NoSystem) {
  EXPECT_EQ(render(R"JINJA({{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- if messages[0]['content'] is string -%}
        {%- set first_user_prefix = messages[0]['content'] + '

' -%}
    {%- else -%}
        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '

' -%}
    {%- endif -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '
' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- elif message['content'] is iterable -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'image' -%}
                {{ '<start_of_image>' }}
            {%- elif item['type'] == 'text' -%}
                {{ item['text'] | trim }}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>
' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model
'}}
{%- endif -%}
)JINJA",
                   R"JINJA({"messages": [{"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "bos_token": "<bos>", "add_generation_prompt": false})JINJA"),
            R"JINJA(<bos><start_of_turn>user
Hi ☃<end_of_turn>
<start_of_turn>model
Hello!<end_of_turn>
<start_of_turn>user
2+2?<end_of_turn>
)JINJA");
}

TEST(ChatTemplateJinja2, SmolLM2) {
  EXPECT_EQ(render(R"JINJA({% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
' }}{% endif %}{{'<|im_start|>' + message['role'] + '
' + message['content'] + '<|im_end|>' + '
'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
' }}{% endif %})JINJA",
                   R"JINJA({"messages": [{"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "add_generation_prompt": true})JINJA"),
            R"JINJA(<|im_start|>system
You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
<|im_start|>user
Hi ☃<|im_end|>
<|im_start|>assistant
Hello!<|im_end|>
<|im_start|>user
  2+2?  <|im_end|>
<|im_start|>assistant
)JINJA");
}

TEST(ChatTemplateJinja2, SmolLM2WithSystem) {
  EXPECT_EQ(render(R"JINJA({% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
' }}{% endif %}{{'<|im_start|>' + message['role'] + '
' + message['content'] + '<|im_end|>' + '
'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
' }}{% endif %})JINJA",
                   R"JINJA({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ☃"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "  2+2?  "}], "add_generation_prompt": false})JINJA"),
            R"JINJA(<|im_start|>system
Be brief.<|im_end|>
<|im_start|>user
Hi ☃<|im_end|>
<|im_start|>assistant
Hello!<|im_end|>
<|im_start|>user
  2+2?  <|im_end|>
)JINJA");
}

}  // namespace
