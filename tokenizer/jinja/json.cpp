#include "tokenizer/jinja/json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "tokenizer/jinja/unicode.h"

namespace slm::jinja {

namespace {

Value convert(const nlohmann::ordered_json& j, int depth) {
  if (depth > kMaxNesting) throw TemplateError("context nested too deeply");
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return Value::none();
    case nlohmann::ordered_json::value_t::boolean: return Value::from_bool(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value::from_int(j.get<std::int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw TemplateError("integer in context too large: " + std::to_string(u));
      }
      return Value::from_int(static_cast<std::int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float: return Value::from_float(j.get<double>());
    case nlohmann::ordered_json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (!valid_utf8(s)) throw TemplateError("context string is not valid UTF-8");
      return Value::from_string(s);
    }
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& item : j) items.push_back(convert(item, depth + 1));
      return Value::from_list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      auto d = std::make_shared<DictData>();
      for (const auto& [key, item] : j.items()) {
        if (!valid_utf8(key)) throw TemplateError("context key is not valid UTF-8");
        d->set(Value::from_string(key), convert(item, depth + 1));
      }
      return Value::from_dict(std::move(d));
    }
    default: throw TemplateError("unsupported JSON value in context (binary)");
  }
}

void append_json_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    char buf[16];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || (ensure_ascii && c > 0x7E)) {
          if (c >= 0x10000) {
            char32_t v = c - 0x10000;
            std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 + (v >> 10)),
                          static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
          } else {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          }
          out += buf;
        } else {
          append_utf8(out, c);
        }
    }
  }
  out += '"';
}

std::string json_key(const Value& key) {
  switch (key.kind) {
    case Kind::String: return key.str();
    case Kind::None: return "null";
    case Kind::Bool: return key.boolean ? "true" : "false";
    case Kind::Int: return std::to_string(key.integer);
    case Kind::Float: return float_repr(key.real);
    default: throw TemplateError("keys must be str, int, float, bool or None, not " + type_name(key));
  }
}

std::string json_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  return float_repr(d);
}

class Dumper {
 public:
  explicit Dumper(const JsonDumpOptions& options) : options_(options) {}

  void dump(const Value& v, int level) {
    if (out.size() > kMaxStringBytes) throw TemplateError("JSON text too long");
    switch (v.kind) {
      case Kind::None: out += "null"; return;
      case Kind::Bool: out += v.boolean ? "true" : "false"; return;
      case Kind::Int: out += std::to_string(v.integer); return;
      case Kind::Float: out += json_float(v.real); return;
      case Kind::String: append_json_string(out, v.str(), options_.ensure_ascii); return;
      case Kind::List:
        if (v.list->seq == SeqKind::List || v.list->seq == SeqKind::Tuple) {
          dump_list(v.list->items, level);
          return;
        }
        break;
      case Kind::Dict: dump_dict(*v.dict, level); return;
      default: break;
    }
    throw TemplateError("Object of type " + type_name(v) + " is not JSON serializable");
  }

  std::string out;

 private:
  void newline(int level) {
    if (!options_.indent) return;
    out += '\n';
    for (int i = 0; i < level; ++i) out += *options_.indent;
  }

  void dump_list(const std::vector<Value>& items, int level) {
    if (items.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += options_.item_separator;
      newline(level + 1);
      dump(items[i], level + 1);
    }
    newline(level);
    out += ']';
  }

  void dump_dict(const DictData& d, int level) {
    if (d.entries.empty()) {
      out += "{}";
      return;
    }
    std::vector<std::pair<std::string, const Value*>> entries;
    entries.reserve(d.entries.size());
    for (const auto& [key, value] : d.entries) entries.emplace_back(json_key(key), &value);
    if (options_.sort_keys) {
      for (const auto& [key, value] : d.entries) {
        if (key.kind != Kind::String) throw TemplateError("sort_keys needs string keys");
      }
      std::stable_sort(entries.begin(), entries.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    out += '{';
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += options_.item_separator;
      newline(level + 1);
      append_json_string(out, entries[i].first, options_.ensure_ascii);
      out += options_.key_separator;
      dump(*entries[i].second, level + 1);
    }
    newline(level);
    out += '}';
  }

  const JsonDumpOptions& options_;
};

}  // namespace

Value from_json(const nlohmann::ordered_json& j) { return convert(j, 1); }

std::string dump_json(const Value& v, const JsonDumpOptions& options) {
  Dumper dumper(options);
  dumper.dump(v, 0);
  return std::move(dumper.out);
}

}  // namespace slm::jinja
