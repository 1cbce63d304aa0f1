// JSON Schema (draft 2020-12) -> GBNF. The grammar accepts only JSON text that is valid
// against the schema; it may be narrower (see docs in json_schema.cpp): a keyword or a
// keyword value that cannot be enforced exactly is a SchemaError, never ignored.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "grammar/grammar.h"
#include "slm/error.h"

namespace slm::grammar {

struct JsonSchemaOptions {
  bool allow_additional_properties = true;  // the spec's default; false forbids undeclared keys when the schema is silent
  bool compact = false;                     // no whitespace at all between JSON tokens
  int max_whitespace = 4;                   // else: whitespace between tokens is [ \t\n]{0,max}: flexible but bounded
};

// The first unsupported or invalid keyword: its name and the JSON pointer of the
// schema holding it (e.g. keyword "uniqueItems", pointer "/properties/tags").
// The keyword is empty for whole-schema problems (too large, nothing valid).
class SchemaError : public Error {
 public:
  SchemaError(std::string keyword, std::string pointer, const std::string& reason);
  const std::string& keyword() const { return keyword_; }
  const std::string& pointer() const { return pointer_; }

 private:
  std::string keyword_;
  std::string pointer_;
};

// GBNF text with root rule "root". nlohmann::json sorts object keys, so properties
// come in alphabetical order; use json_schema_text_to_gbnf to keep declared order.
std::string json_schema_to_gbnf(const nlohmann::json& schema, const JsonSchemaOptions& opt = {});
// The same from schema text, keeping properties in the order the text declares them.
// Throws slm::Error when the text is not JSON.
std::string json_schema_text_to_gbnf(std::string_view schema_text, const JsonSchemaOptions& opt = {});
// The compiled grammar of that text: the automaton of
// compile_gbnf(json_schema_text_to_gbnf(schema_text, opt)) (its states numbered in
// another order), sooner: the undeclared-key rules, most of a big schema's grammar,
// never become text.
std::shared_ptr<const Grammar> compile_json_schema(std::string_view schema_text, const JsonSchemaOptions& opt = {});

}  // namespace slm::grammar
