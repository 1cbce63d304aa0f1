// jinja2's built-in filters and tests (the subset chat templates use) plus
// transformers' `tojson`.
#pragma once

#include <string>

#include "tokenizer/jinja/value.h"

namespace slm::jinja {

enum class Support { Supported, Unsupported, Unknown };

// Unknown names are rejected when parsing, as jinja2 does; jinja2 filters and
// tests this interpreter lacks fail when used.
Support filter_support(const std::string& name);
Support test_support(const std::string& name);

Value apply_filter(Interpreter& interp, const std::string& name, const Value& value, const CallArgs& args);
bool apply_test(Interpreter& interp, const std::string& name, const Value& value, const CallArgs& args);

}  // namespace slm::jinja
