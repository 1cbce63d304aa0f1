// Conversions between nlohmann JSON and interpreter values, and Python's json.dumps.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tokenizer/jinja/value.h"

namespace slm::jinja {

// JSON objects keep their key order (Python dicts do), so the input is ordered_json.
Value from_json(const nlohmann::ordered_json& j);

struct JsonDumpOptions {
  bool ensure_ascii = false;
  std::optional<std::string> indent;  // nullopt: single line
  std::string item_separator = ", ";
  std::string key_separator = ": ";
  bool sort_keys = false;
};

// json.dumps(v, ...) byte for byte; throws for values JSON cannot hold.
std::string dump_json(const Value& v, const JsonDumpOptions& options);

}  // namespace slm::jinja
