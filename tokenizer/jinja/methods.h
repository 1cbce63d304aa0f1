// Methods of built-in types that templates call: str.split(), dict.items(), ...
#pragma once

#include <string>
#include <vector>

#include "tokenizer/jinja/value.h"

namespace slm::jinja {

// The attribute `name` of `obj` when it is a method of obj's Python type:
//  - a bound method (Kind::Callable) when supported;
//  - an Undefined carrying a message when the sandbox forbids it (list.append, dict.pop);
//  - a default Value (Undefined without message) when the type has no such method.
// Throws for real Python methods this interpreter does not implement.
Value find_method(const Value& obj, const std::string& name);

// Python str methods shared with filters.
std::vector<Value> split_string(const std::string& s, const Value& sep, std::int64_t maxsplit, bool from_right);
std::string replace_string(const std::string& s, const std::string& old, const std::string& replacement,
                           std::int64_t count);
std::vector<std::string> split_lines(const std::string& s, bool keepends);
std::string capitalize_string(const std::string& s);
std::string title_string(const std::string& s);  // str.title()

}  // namespace slm::jinja
