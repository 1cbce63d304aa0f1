// A constraint on generated text — GBNF grammar, JSON Schema, regular expression or tool
// definitions — compiled to a grammar for one vocabulary. Compiled grammars are cached by
// content (the same schema in every call of an agent compiles once per process).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "grammar/grammar.h"
#include "grammar/json_schema.h"
#include "grammar/tool_calls.h"

namespace slm {

enum class ConstraintKind { kGrammar, kJsonSchema, kRegex, kTools };

struct ConstraintOptions {
  grammar::JsonSchemaOptions json;  // JSON Schema and tool arguments
  std::string tool_choice = "auto";
  std::string tool_format;          // empty: from the chat template and architecture
  bool parallel_tool_calls = true;
};

// What a constraint is compiled for besides its text: the model's chat template and
// architecture choose the tool-call format.
struct ConstraintTarget {
  std::string_view chat_template;
  std::string_view architecture;
};

// Throws slm::Error (grammar::SchemaError for JSON Schema keywords) when the constraint
// does not compile; the message names the problem.
std::shared_ptr<const grammar::Grammar> compile_constraint(ConstraintKind kind, std::string_view text,
                                                           const ConstraintOptions& options,
                                                           const ConstraintTarget& target);

// The GBNF text a constraint compiles from and its root rule (for inspection and tests;
// a JSON Schema compiles to the same grammar without spelling all of it).
struct ConstraintGbnf {
  std::string text;
  std::string root = "root";
};
ConstraintGbnf constraint_to_gbnf(ConstraintKind kind, std::string_view text, const ConstraintOptions& options,
                                  const ConstraintTarget& target);

}  // namespace slm
