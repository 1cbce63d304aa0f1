// Python operator semantics on values: arithmetic, `in`, attribute and item access, slicing.
#pragma once

#include <string>

#include "tokenizer/jinja/value.h"

namespace slm::jinja {

Value binary_op(const std::string& op, const Value& a, const Value& b);  // + - * / // % **
Value unary_op(const std::string& op, const Value& v);                 // - +
bool compare_op(const std::string& op, const Value& a, const Value& b);  // == != < > <= >= in, not in
bool contains(const Value& container, const Value& item);

// jinja2's sandboxed getattr (obj.name) and getitem (obj[key]); missing gives Undefined.
Value get_attr(const Value& obj, const std::string& name);
Value get_item(const Value& obj, const Value& key);
// obj[start:stop:step]; parts may be Undefined (absent) or None.
Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step);

// Checked int64 arithmetic: throws instead of overflowing (Python has big integers).
std::int64_t checked_add(std::int64_t a, std::int64_t b);
std::int64_t checked_mul(std::int64_t a, std::int64_t b);

}  // namespace slm::jinja
