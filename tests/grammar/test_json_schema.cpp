// json_schema_to_gbnf feature by feature: each schema's grammar is run on instances
// whose validity is known (by construction here, or computed for number ranges).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/json_schema.h"
#include "grammar/ordered_json.h"
#include "slm/error.h"
#include "tests/grammar/json_schema_fixtures.h"
#include "tests/support/test_data.h"

namespace slm::grammar::test {
namespace {

std::shared_ptr<const Grammar> grammar_for(const std::string& schema_text, const JsonSchemaOptions& opt = {}) {
  return compile_gbnf(json_schema_text_to_gbnf(schema_text, opt));
}

void expect_error(const std::string& schema_text, const std::string& keyword, const std::string& pointer) {
  try {
    json_schema_text_to_gbnf(schema_text);
    ADD_FAILURE() << schema_text << " compiled";
  } catch (const SchemaError& e) {
    EXPECT_EQ(e.keyword(), keyword) << schema_text << ": " << e.what();
    EXPECT_EQ(e.pointer(), pointer) << schema_text << ": " << e.what();
  }
}

// parse_ordered_json builds what nlohmann's ordered parse builds, member order and
// duplicate keys (the last value at the first place) included, on every bench schema,
// and rejects what it rejects.
TEST(OrderedJson, SameAsNlohmannOrderedParse) {
  std::string large = "{";
  for (int i = 0; i < 30; ++i) large += "\"k" + std::to_string(i % 23) + "\": [" + std::to_string(i) + ", {\"x\": null}], ";
  large += "\"z\": {\"b\": 1, \"a\": 2, \"b\": 3}}";
  std::vector<std::string> texts = {
      R"({"b": 1, "a": [true, false, null, -2.5e3, 18446744073709551615, -7, "\u00e9\n"]})",
      R"([[], {}, [{}], "x", 0.1])", R"({"a": 1, "a": 2, "b": {"a": 3}})", "7", large,
      // Integers past uint64/int64 become doubles; underflow is zero; -0 is the integer 0.
      "[18446744073709551616, -9223372036854775808, -9223372036854775809, -0, 1E+2, 1e-400, -1.5E-3]",
      R"(["\ud83d\ude00 \/ \b\f\r\t\"\\", "\u00E9", "x\u0000y"])", "\xEF\xBB\xBF {\"bom\": 1}",
      " \t\n\r[1 , 2 ]\n", "\"x\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""};
  for (const std::string& split : kBenchSplits) {
    for (const std::string& f : bench_schema_files(split)) texts.push_back(slm::test::read_file(f));
  }
  for (const std::string& text : texts) {
    const nlohmann::ordered_json ours = parse_ordered_json(text);
    const nlohmann::ordered_json theirs = nlohmann::ordered_json::parse(text);
    EXPECT_EQ(ours, theirs) << text.substr(0, 200);
    EXPECT_EQ(ours.dump(), theirs.dump()) << text.substr(0, 200);
  }
  for (const char* bad : {"{\"a\": }", "[1, 2", "", "{\"a\" 1}", "tru", "[1,]", "{,}", "01", "1.", "-", "1e", ".5",
                          "1e400", "[] []", "\"a\x01\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\x\"",
                          "\"\\u12G4\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"", "\"\xE2\x82\"", "\"abc"}) {
    EXPECT_THROW(parse_ordered_json(bad), Error) << bad;
    EXPECT_FALSE(nlohmann::ordered_json::accept(bad)) << bad;  // the same verdict
  }
}

TEST(JsonSchema, IntegerRangesAreExact) {
  const char* bounds[] = {R"("minimum": -17, "maximum": 243)", R"("exclusiveMinimum": 5, "exclusiveMaximum": 100)",
                          R"("minimum": 10)", R"("maximum": -3)", R"("minimum": 0.5, "maximum": 99.5)",
                          R"("minimum": 99, "maximum": 101)", R"("minimum": -250, "exclusiveMaximum": -249)"};
  for (const char* b : bounds) {
    const nlohmann::json schema = nlohmann::json::parse(std::string("{\"type\": \"integer\", ") + b + "}");
    const auto g = grammar_for(schema.dump());
    for (int v = -300; v <= 300; ++v) {
      const double d = v;
      bool ok = true;
      if (schema.contains("minimum")) ok = ok && d >= schema["minimum"].get<double>();
      if (schema.contains("maximum")) ok = ok && d <= schema["maximum"].get<double>();
      if (schema.contains("exclusiveMinimum")) ok = ok && d > schema["exclusiveMinimum"].get<double>();
      if (schema.contains("exclusiveMaximum")) ok = ok && d < schema["exclusiveMaximum"].get<double>();
      EXPECT_EQ(accepts(g, std::to_string(v)), ok) << b << ": " << v;
    }
    EXPECT_FALSE(accepts(g, "007"));
    EXPECT_FALSE(accepts(g, "1.0"));
  }
}

TEST(JsonSchema, NumberBoundsAreExactWithoutExponents) {
  const auto g = grammar_for(R"({"type": "number", "exclusiveMinimum": -2, "maximum": 3})");
  const char* texts[] = {"-2",  "-1.999", "-2.0001", "0",   "-0.5",  "3",         "3.0",  "3.0001",
                         "2.99", "12",    "1e0",     "-3",  "0.000", "2.999999", "-1",   "1.5"};
  for (const char* t : texts) {
    const double v = std::strtod(t, nullptr);
    const bool in_range = v > -2 && v <= 3 && std::string(t).find('e') == std::string::npos;
    EXPECT_EQ(accepts(g, t), in_range) << t;
  }
  // 20 nines would round to 1.0 as a double: too many significant digits are refused.
  EXPECT_FALSE(accepts(grammar_for(R"({"type": "number", "exclusiveMaximum": 1})"), "0.99999999999999999999"));
  expect_error(R"({"type": "number", "maximum": 1.5})", "maximum", "");
}

TEST(JsonSchema, MultipleOfIntegers) {
  const auto g = grammar_for(R"({"type": "integer", "multipleOf": 7})");
  for (int v = -200; v <= 200; ++v) EXPECT_EQ(accepts(g, std::to_string(v)), v % 7 == 0) << v;
  expect_error(R"({"type": "number", "multipleOf": 0.01})", "multipleOf", "");
}

TEST(JsonSchema, PropertiesInDeclaredOrderRequiredAndExtras) {
  const std::string schema = R"({"type": "object", "properties": {"b": {"type": "integer"}, "a": {"type": "string"}},
                                 "required": ["a"]})";
  const auto open = grammar_for(schema);
  EXPECT_TRUE(accepts(open, R"({"b":1,"a":"x"})"));
  EXPECT_TRUE(accepts(open, R"({"a":"x"})"));
  EXPECT_FALSE(accepts(open, R"({"b":1})"));                  // a is required
  EXPECT_FALSE(accepts(open, R"({"a":"x","b":1})"));          // narrower: declared order only
  EXPECT_TRUE(accepts(open, R"({"a":"x","c":null})"));        // undeclared keys after declared ones
  EXPECT_FALSE(accepts(open, R"({"a":"x","b":"no"})"));       // an extra may not repeat a declared name
  EXPECT_FALSE(accepts(open, R"({"a":"x","\u0062":"no"})"));  // nor spell one with escapes
  JsonSchemaOptions closed;
  closed.allow_additional_properties = false;
  EXPECT_FALSE(accepts(grammar_for(schema, closed), R"({"a":"x","c":null})"));
  // nlohmann::json sorts keys, so the json overload uses alphabetical order.
  const auto sorted = compile_gbnf(json_schema_to_gbnf(nlohmann::json::parse(schema)));
  EXPECT_TRUE(accepts(sorted, R"({"a":"x","b":1})"));
}

TEST(JsonSchema, UndeclaredKeysDifferFromDeclaredNamesInAnyScript) {
  // Declared names share prefixes, and one is not ASCII: undeclared keys must still
  // differ from each of them, whatever characters they are made of.
  const auto g = grammar_for(R"({"type": "object", "properties": {"ab": {"type": "integer"}, "abc": {"type": "integer"},
                                 "été": {"type": "integer"}, "x": {"type": "integer"}}})");
  EXPECT_TRUE(accepts(g, R"({"ab":1,"abc":2,"x":3})"));
  for (const std::string& key : {std::string("a"), std::string("abcd"), std::string("abd"), std::string("b"), std::string("xy"),
                                std::string(""), std::string("\xC3\xA9"), std::string("\xC3\xA9t"),
                                std::string("\xC3\xA9t\xC3\xA9s"), std::string("\xC3\xA4"), std::string("\xE4\xB8\xAD"),
                                std::string("\xF0\x9F\x98\x80"), std::string("a\xC3\xA9")}) {
    EXPECT_TRUE(accepts(g, "{\"" + key + "\":\"any\"}")) << key;
  }
  for (const std::string& key : {std::string("ab"), std::string("abc"), std::string("x"), std::string("\xC3\xA9t\xC3\xA9")}) {
    EXPECT_FALSE(accepts(g, "{\"" + key + "\":\"not an integer\"}")) << key;
  }
}

TEST(JsonSchema, LongBoundedLengthsAreExactAtBothEnds) {
  const auto g = grammar_for(R"({"type": "string", "minLength": 50, "maxLength": 32767})");
  auto of_length = [](size_t n, const std::string& unit) {
    std::string s = "\"";
    for (size_t i = 0; i < n; ++i) s += unit;
    return s + "\"";
  };
  // Code points, however they are spelled: ASCII, two-byte UTF-8, escapes.
  for (const std::string& unit : {std::string("a"), std::string("\xC3\xA9"), std::string("\\n"), std::string("\\u00e9")}) {
    EXPECT_FALSE(accepts(g, of_length(49, unit))) << unit;
    EXPECT_TRUE(accepts(g, of_length(50, unit))) << unit;
    EXPECT_TRUE(accepts(g, of_length(32767, unit))) << unit;
    EXPECT_FALSE(accepts(g, of_length(32768, unit))) << unit;
  }
  // The same bound on array items and inside an object.
  const auto items = grammar_for(R"({"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 5000})");
  auto array_of = [](size_t n) {
    std::string s = "[";
    for (size_t i = 0; i < n; ++i) s += i ? ",1" : "1";
    return s + "]";
  };
  EXPECT_FALSE(accepts(items, array_of(2)));
  EXPECT_TRUE(accepts(items, array_of(3)));
  EXPECT_TRUE(accepts(items, array_of(5000)));
  EXPECT_FALSE(accepts(items, array_of(5001)));
  const auto member = grammar_for(R"({"type": "object", "properties": {"s": {"type": "string", "maxLength": 20000}}})");
  EXPECT_TRUE(accepts(member, "{\"s\":" + of_length(20000, "x") + "}"));
  EXPECT_FALSE(accepts(member, "{\"s\":" + of_length(20001, "x") + "}"));
}

TEST(JsonSchema, PropertyCounts) {
  const auto g = grammar_for(R"({"properties": {"a": {}, "b": {}, "c": {}}, "minProperties": 1,
                                 "maxProperties": 2, "additionalProperties": false})");
  EXPECT_FALSE(accepts(g, "{}"));
  EXPECT_TRUE(accepts(g, R"({"b":1})"));
  EXPECT_TRUE(accepts(g, R"({"a":1,"c":2})"));
  EXPECT_FALSE(accepts(g, R"({"a":1,"b":2,"c":3})"));
}

TEST(JsonSchema, ConstAcceptsOnlyEqualValuesCanonicallySpelled) {
  const auto g = grammar_for(R"({"const": {"k": [1, 2.5, "x", null]}})");
  EXPECT_TRUE(accepts(g, R"({"k":[1,2.5,"x",null]})"));
  EXPECT_TRUE(accepts(g, "{ \"k\" : [ 1 , 2.5, \"x\",\n null ] }"));
  EXPECT_FALSE(accepts(g, R"({"k":[1,2.5,"y",null]})"));
  EXPECT_FALSE(accepts(g, R"({"k":[1,2.50,"x",null]})"));  // equal, but not canonical: narrower
  const auto e = grammar_for(R"({"type": "string", "enum": ["a", 1, "b"]})");
  EXPECT_TRUE(accepts(e, "\"b\""));
  EXPECT_FALSE(accepts(e, "1"));  // the type keyword still applies
}

TEST(JsonSchema, ArraysWithPrefixItemsAndCounts) {
  const auto g = grammar_for(R"({"prefixItems": [{"type": "string"}, {"type": "integer"}],
                                 "items": {"type": "boolean"}, "minItems": 1, "maxItems": 3})");
  EXPECT_FALSE(accepts(g, "[]"));
  EXPECT_TRUE(accepts(g, R"(["a"])"));
  EXPECT_TRUE(accepts(g, R"(["a",1,true])"));
  EXPECT_FALSE(accepts(g, R"(["a",1,true,false])"));
  EXPECT_FALSE(accepts(g, R"([1])"));
  EXPECT_FALSE(accepts(g, R"(["a",1,2])"));
}

TEST(JsonSchema, StringsCountCodePointsAndPatternsSeeDecodedText) {
  const auto len = grammar_for(R"({"type": "string", "minLength": 2, "maxLength": 3})");
  EXPECT_TRUE(accepts(len, "\"\xC3\xA9\xC3\xA9\""));
  EXPECT_FALSE(accepts(len, "\"\xC3\xA9\""));
  EXPECT_TRUE(accepts(len, R"("a\n")"));
  EXPECT_FALSE(accepts(len, R"("\ud83d\ude00")"));  // one code point written as a surrogate pair
  EXPECT_FALSE(accepts(len, "\"a\nb\""));             // raw control characters are not JSON
  const auto pat = grammar_for(R"({"type": "string", "pattern": "^a\"b\\\\c$"})");
  EXPECT_TRUE(accepts(pat, R"("a\"b\\c")"));
  EXPECT_FALSE(accepts(pat, R"("a"b\c")"));
  const auto contains = grammar_for(R"({"type": "string", "pattern": "[0-9]{3}", "maxLength": 5})");
  EXPECT_TRUE(accepts(contains, R"("ab123")"));
  EXPECT_FALSE(accepts(contains, R"("abc123")"));
  EXPECT_FALSE(accepts(contains, R"("ab12")"));
}

TEST(JsonSchema, Formats) {
  const std::pair<const char*, std::vector<std::pair<const char*, bool>>> cases[] = {
      {"date", {{"2024-02-28", true}, {"2024-02-30", false}, {"2024-13-01", false}, {"2024-4-01", false}}},
      {"date-time", {{"2024-05-06T07:08:09Z", true}, {"2024-05-06T07:08:09.5+02:00", true}, {"2024-05-06 07:08:09Z", false}}},
      {"time", {{"23:59:59Z", true}, {"24:00:00Z", false}, {"12:00:00", false}}},
      {"uuid", {{"123e4567-e89b-12d3-a456-426614174000", true}, {"123e4567e89b12d3a456426614174000", false}}},
      {"ipv4", {{"192.168.0.1", true}, {"256.1.1.1", false}, {"01.2.3.4", false}}},
      {"ipv6", {{"::1", true}, {"2001:db8::8a2e:370:7334", true}, {"1:2:3:4:5:6:7:8:9", false}, {"1::2::3", false}}},
      {"email", {{"a.b@example.com", true}, {"a@@example.com", false}, {"@example.com", false}}},
      {"hostname", {{"example.com", true}, {"-bad.com", false}}},
      {"duration", {{"P3Y6M4DT12H30M5S", true}, {"PT", false}, {"P1W", true}}},
      {"uri", {{"https://example.com/a?b=c", true}, {"example.com", false}}},
  };
  for (const auto& [format, samples] : cases) {
    const auto g = grammar_for(std::string(R"({"type": "string", "format": ")") + format + "\"}");
    for (const auto& [text, ok] : samples) EXPECT_EQ(accepts(g, std::string("\"") + text + "\""), ok) << format << " " << text;
  }
  EXPECT_NO_THROW(json_schema_text_to_gbnf(R"({"type": "string", "format": "int32"})"));  // unknown: annotation
  expect_error(R"({"type": "string", "format": "iri"})", "format", "");
}

TEST(JsonSchema, ApplicatorsAndReferences) {
  const auto tree = grammar_for(R"({"$ref": "#/$defs/node", "$defs": {"node": {"type": "object",
      "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
      "required": ["v"], "additionalProperties": false}}})");
  EXPECT_TRUE(accepts(tree, R"({"v":1,"kids":[{"v":2},{"v":3,"kids":[{"v":4}]}]})"));
  EXPECT_FALSE(accepts(tree, R"({"v":1,"kids":[{"v":"x"}]})"));
  const auto all = grammar_for(R"({"allOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                                              {"properties": {"a": {"minimum": 5}}}]})");
  EXPECT_TRUE(accepts(all, R"({"a":7})"));
  EXPECT_FALSE(accepts(all, R"({"a":3})"));
  const auto one = grammar_for(R"({"oneOf": [{"type": "object", "properties": {"kind": {"const": "a"}}, "required": ["kind"]},
                                              {"type": "object", "properties": {"kind": {"const": "b"}}, "required": ["kind"]}]})");
  EXPECT_TRUE(accepts(one, R"({"kind":"b"})"));
  EXPECT_FALSE(accepts(one, R"({"kind":"c"})"));
  expect_error(R"({"oneOf": [{"type": "integer"}, {"minimum": 3}]})", "oneOf", "");
}

TEST(JsonSchema, ContainsDependenciesUniqueItemsAndPropertyNames) {
  const auto c = grammar_for(R"({"items": {"type": "integer"}, "contains": {"minimum": 10}})");
  EXPECT_TRUE(accepts(c, "[1,12,3]"));
  EXPECT_FALSE(accepts(c, "[1,2,3]"));
  EXPECT_FALSE(accepts(c, "[]"));
  const auto d = grammar_for(R"({"properties": {"a": {}, "b": {}}, "dependentRequired": {"a": ["b"]}})");
  EXPECT_TRUE(accepts(d, R"({"a":1,"b":2})"));
  EXPECT_TRUE(accepts(d, R"({"b":2})"));
  EXPECT_FALSE(accepts(d, R"({"a":1})"));
  const auto u = grammar_for(R"({"type": "array", "items": {"enum": ["a", "b", "c"]}, "uniqueItems": true, "minItems": 2})");
  EXPECT_TRUE(accepts(u, R"(["c","a"])"));
  EXPECT_TRUE(accepts(u, R"(["b","c","a"])"));
  EXPECT_FALSE(accepts(u, R"(["a","a"])"));
  EXPECT_FALSE(accepts(u, R"(["a"])"));
  const auto every = grammar_for(R"({"properties": {"a": {"minimum": 3}}, "patternProperties": {".*": {"type": "integer"}},
                                     "additionalProperties": false})");
  EXPECT_TRUE(accepts(every, R"({"a":4,"b":1})"));
  EXPECT_FALSE(accepts(every, R"({"a":2})"));
  EXPECT_FALSE(accepts(every, R"({"a":4,"b":"x"})"));
  const auto n = grammar_for(R"({"propertyNames": {"maxLength": 2}})");
  EXPECT_TRUE(accepts(n, R"({"ab":1})"));
  EXPECT_FALSE(accepts(n, R"({"abc":1})"));
}

TEST(JsonSchema, NotOfSchemasThatAcceptEverythingOrNothing) {
  expect_error(R"({"not": {}})", "", "");  // nothing is valid: refused as such
  expect_error(R"({"not": {"$comment": "still everything"}})", "", "");
  const auto anything = grammar_for(R"({"not": {"not": {}}})");
  for (const char* v : {"1", "\"x\"", "null", "[1,{}]", "{\"a\":false}"}) EXPECT_TRUE(accepts(anything, v)) << v;
  const auto no_foo = grammar_for(R"({"properties": {"foo": {"not": {}}, "bar": {"not": {"not": false}}}})");
  EXPECT_TRUE(accepts(no_foo, "{}"));
  EXPECT_TRUE(accepts(no_foo, R"({"baz":1})"));
  EXPECT_FALSE(accepts(no_foo, R"({"foo":1})"));
  EXPECT_FALSE(accepts(no_foo, R"({"bar":1})"));
  EXPECT_FALSE(accepts(no_foo, R"({"baz":1,"foo":1})"));
  // Deeper double negations may carry annotations: still refused, never approximated.
  expect_error(R"({"not": {"not": {"type": "integer"}}})", "not", "");
}

TEST(JsonSchema, MinContainsCountsMatchingItemsAnywhere) {
  const auto two = grammar_for(R"({"type": "array", "items": {"type": "integer"}, "contains": {"const": 1}, "minContains": 2})");
  for (const char* ok : {"[1,1]", "[1,2,1]", "[2,1,3,4,1,5]", "[1,1,1]", "[0,0,1,0,1]"}) EXPECT_TRUE(accepts(two, ok)) << ok;
  for (const char* bad : {"[]", "[1]", "[2,1,3]", "[2,3]", "[1,\"1\"]", "[1,1,\"x\"]"}) EXPECT_FALSE(accepts(two, bad)) << bad;
  // No count can be at least 3 and at most 1: no array is valid, other types still are.
  const auto none = grammar_for(R"({"contains": {"const": 1}, "minContains": 3, "maxContains": 1})");
  EXPECT_FALSE(accepts(none, "[1,1,1]"));
  EXPECT_FALSE(accepts(none, "[]"));
  EXPECT_TRUE(accepts(none, "\"not an array\""));
  expect_error(R"({"contains": {"const": 1}, "minContains": 1, "maxContains": 3})", "contains", "");
  expect_error(R"({"contains": {"const": 1}, "minContains": 65})", "contains", "");
}

TEST(JsonSchema, UnsupportedKeywordsNameTheirPlace) {
  expect_error(R"({"properties": {"tags": {"type": "array", "uniqueItems": true}}})", "uniqueItems", "/properties/tags");
  expect_error(R"({"items": {"contains": {"type": "integer"}, "maxContains": 2}})", "contains", "/items");
  expect_error(R"({"if": {"type": "string"}, "then": {"minLength": 1}})", "if", "");
  expect_error(R"({"$ref": "https://example.com/schema"})", "$ref", "");
  expect_error(R"({"type": "string", "pattern": "(a)\\1"})", "pattern", "");
  expect_error(R"({"type": "bogus"})", "type", "");
}

TEST(JsonSchema, WhitespaceIsBoundedOrAbsent) {
  const std::string schema = R"({"type": "array", "items": {"type": "integer"}})";
  const auto flexible = grammar_for(schema);
  EXPECT_TRUE(accepts(flexible, "[1,    2]"));
  EXPECT_FALSE(accepts(flexible, "[1,     2]"));  // 5 > max_whitespace (4)
  JsonSchemaOptions compact;
  compact.compact = true;
  EXPECT_FALSE(accepts(grammar_for(schema, compact), "[1, 2]"));
  EXPECT_TRUE(accepts(grammar_for(schema, compact), "[1,2]"));
}

TEST(JsonSchema, SizeAndDepthAreBounded) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += R"({"items": )";
  deep += "true";
  deep += std::string(200, '}');
  EXPECT_THROW(json_schema_text_to_gbnf(deep), SchemaError);
  // Three allOf parts of 9 anyOf branches each: 729 combinations, over the budget.
  std::string product = R"({"allOf": [)";
  for (int part = 0; part < 3; ++part) {
    if (part) product += ",";
    product += R"({"anyOf": [)";
    for (int i = 0; i < 9; ++i) {
      if (i) product += ",";
      product += R"({"minLength": )";
      product += std::to_string(part * 10 + i);
      product += "}";
    }
    product += "]}";
  }
  product += "]}";
  EXPECT_THROW(json_schema_text_to_gbnf(product), SchemaError);
  EXPECT_THROW(json_schema_text_to_gbnf("{not json"), Error);
}

}  // namespace
}  // namespace slm::grammar::test
