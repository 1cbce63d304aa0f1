// Binds call arguments to named parameters, Python style.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "tokenizer/jinja/value.h"

namespace slm::jinja {

class BoundArgs {
 public:
  // `what` names the callee in messages ("filter 'join'"). Throws for too many
  // positional arguments, unknown keywords, or a parameter given twice.
  BoundArgs(const std::string& what, const CallArgs& args, std::initializer_list<const char*> params);

  bool has(std::size_t i) const { return given_[i]; }
  const Value& get(std::size_t i) const { return values_[i]; }
  Value get_or(std::size_t i, Value fallback) const { return given_[i] ? values_[i] : std::move(fallback); }
  // Typed accessors; throw a TypeError-like message when the type is wrong.
  std::int64_t get_int(std::size_t i, std::int64_t fallback) const;
  bool get_bool(std::size_t i, bool fallback) const;  // Python truthiness
  std::string get_string(std::size_t i, const std::string& fallback) const;

 private:
  std::string what_;
  std::vector<const char*> names_;
  std::vector<Value> values_;
  std::vector<bool> given_;
};

}  // namespace slm::jinja
