#include "tokenizer/jinja/args.h"

#include <cstring>

namespace slm::jinja {

BoundArgs::BoundArgs(const std::string& what, const CallArgs& args, std::initializer_list<const char*> params)
    : what_(what), names_(params), values_(params.size()), given_(params.size(), false) {
  if (args.positional.size() > params.size()) {
    throw TemplateError(what + " takes at most " + std::to_string(params.size()) + " argument(s), " +
                        std::to_string(args.positional.size()) + " given");
  }
  for (std::size_t i = 0; i < args.positional.size(); ++i) {
    values_[i] = args.positional[i];
    given_[i] = true;
  }
  for (const auto& [key, value] : args.keyword) {
    std::size_t i = 0;
    while (i < names_.size() && key != names_[i]) ++i;
    if (i == names_.size()) throw TemplateError(what + " got an unexpected keyword argument '" + key + "'");
    if (given_[i]) throw TemplateError(what + " got multiple values for argument '" + key + "'");
    values_[i] = value;
    given_[i] = true;
  }
}

std::int64_t BoundArgs::get_int(std::size_t i, std::int64_t fallback) const {
  if (!given_[i]) return fallback;
  const Value& v = values_[i];
  if (v.kind == Kind::Int || v.kind == Kind::Bool) return v.integer;
  if (v.is_undefined()) fail_undefined(v);
  throw TemplateError(what_ + ": argument '" + names_[i] + "' must be an integer, not " + type_name(v));
}

bool BoundArgs::get_bool(std::size_t i, bool fallback) const { return given_[i] ? truthy(values_[i]) : fallback; }

std::string BoundArgs::get_string(std::size_t i, const std::string& fallback) const {
  if (!given_[i]) return fallback;
  const Value& v = values_[i];
  if (v.is_string()) return v.str();
  if (v.is_undefined()) fail_undefined(v);
  throw TemplateError(what_ + ": argument '" + names_[i] + "' must be a string, not " + type_name(v));
}

}  // namespace slm::jinja
