// The constraint options shared by generation, --chat and `grammar --check`:
// --grammar, --json-schema, --regex, --tools and their settings.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "slm/error.h"
#include "slm/slm.hpp"

namespace slm::tools {

// A constraint that does not compile: slm-run exits with status 2.
class ConstraintError : public Error {
 public:
  using Error::Error;
};

struct ConstraintOptions {
  std::string grammar_file;
  std::string json_schema;  // a file, or the schema's JSON text itself
  std::string regex;
  std::string tools_file;
  std::string tool_choice = "auto";
  std::string tool_format;
  bool no_extra_properties = false;
  bool compact_json = false;
};

void add_constraint_options(CLI::App& app, ConstraintOptions& opt);
bool has_constraint(const ConstraintOptions& opt);
// The compiled constraint, or nullopt when no option asks for one. Throws ConstraintError.
std::optional<api::Constraint> make_constraint(const ConstraintOptions& opt, const api::Model& model);

}  // namespace slm::tools
