#include "tokenizer/jinja/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "tokenizer/jinja/unicode.h"

namespace slm::jinja {

namespace {

int depth_of_items(const std::vector<Value>& items) {
  int depth = 0;
  for (const auto& item : items) depth = std::max(depth, item.nesting());
  return depth + 1;
}

void check_depth(int depth) {
  if (depth > kMaxNesting) {
    throw TemplateError("value nested more than " + std::to_string(kMaxNesting) + " levels deep");
  }
}

const std::vector<Value>& empty_items() {
  static const std::vector<Value> empty;
  return empty;
}

}  // namespace

Value Value::undefined(std::string message) {
  Value v;
  v.text = std::make_shared<const std::string>(std::move(message));
  return v;
}

Value Value::none() {
  Value v;
  v.kind = Kind::None;
  return v;
}

Value Value::from_bool(bool b) {
  Value v;
  v.kind = Kind::Bool;
  v.boolean = b;
  v.integer = b ? 1 : 0;
  return v;
}

Value Value::from_int(std::int64_t i) {
  Value v;
  v.kind = Kind::Int;
  v.integer = i;
  return v;
}

Value Value::from_float(double d) {
  Value v;
  v.kind = Kind::Float;
  v.real = d;
  return v;
}

Value Value::from_string(std::string s) {
  if (s.size() > kMaxStringBytes) {
    throw TemplateError("string longer than " + std::to_string(kMaxStringBytes) + " bytes");
  }
  Value v;
  v.kind = Kind::String;
  v.text = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::from_list(std::vector<Value> items, SeqKind seq) {
  if (items.size() > kMaxListItems) {
    throw TemplateError("list longer than " + std::to_string(kMaxListItems) + " items");
  }
  auto data = std::make_shared<ListData>();
  data->depth = depth_of_items(items);
  check_depth(data->depth);
  for (const auto& item : items) data->has_namespace = data->has_namespace || item.holds_namespace();
  data->items = std::move(items);
  data->seq = seq;
  Value v;
  v.kind = Kind::List;
  v.list = std::move(data);
  return v;
}

Value Value::from_dict(std::shared_ptr<DictData> d) {
  Value v;
  v.kind = Kind::Dict;
  v.dict = std::move(d);
  return v;
}

Value Value::make_namespace(std::shared_ptr<DictData> d) {
  Value v;
  v.kind = Kind::Namespace;
  v.dict = std::move(d);
  return v;
}

Value Value::from_callable(std::shared_ptr<const Callable> c) {
  Value v;
  v.kind = Kind::Callable;
  v.callable = std::move(c);
  return v;
}

const std::vector<Value>& Value::items() const {
  return kind == Kind::List ? list->items : empty_items();
}

bool Value::holds_namespace() const {
  if (kind == Kind::Namespace || kind == Kind::Callable) return true;  // a bound method may hold one
  if (kind == Kind::List) return list->has_namespace;
  if (kind == Kind::Dict) return dict->has_namespace;
  return false;
}

int Value::nesting() const {
  if (kind == Kind::List) return list->depth;
  if (kind == Kind::Dict) return dict->depth;
  return 0;  // namespaces are references: they do not nest values by copy
}

const Value* DictData::find(const Value& key) const {
  auto it = index.find(key_of(key));
  return it == index.end() ? nullptr : &entries[it->second].second;
}

const Value* DictData::find(std::string_view key) const {
  std::string k = "s:";
  k += key;
  auto it = index.find(k);
  return it == index.end() ? nullptr : &entries[it->second].second;
}

void DictData::set(const Value& key, Value value) {
  std::string k = key_of(key);
  depth = std::max(depth, value.nesting() + 1);
  check_depth(depth);
  has_namespace = has_namespace || value.holds_namespace();
  auto it = index.find(k);
  if (it != index.end()) {
    entries[it->second].second = std::move(value);
    return;
  }
  if (entries.size() >= kMaxListItems) throw TemplateError("dict too large");
  index.emplace(std::move(k), entries.size());
  entries.emplace_back(key, std::move(value));
}

std::string type_name(const Value& v) {
  switch (v.kind) {
    case Kind::Undefined: return "Undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::Dict: return "dict";
    case Kind::Namespace: return "Namespace";
    case Kind::Callable: return "function";
    case Kind::List:
      switch (v.list->seq) {
        case SeqKind::List: return "list";
        case SeqKind::Tuple: return "tuple";
        case SeqKind::Range: return "range";
        case SeqKind::DictItems: return "dict_items";
        case SeqKind::DictKeys: return "dict_keys";
        case SeqKind::DictValues: return "dict_values";
        case SeqKind::Generator: return "generator";
      }
  }
  return "object";
}

void fail_undefined(const Value& v) {
  throw TemplateError(v.text ? *v.text : std::string("value is undefined"));
}

bool truthy(const Value& v) {
  switch (v.kind) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return v.boolean;
    case Kind::Int: return v.integer != 0;
    case Kind::Float: return v.real != 0.0;
    case Kind::String: return !v.text->empty();
    case Kind::List: return v.list->seq == SeqKind::Generator || !v.list->items.empty();
    case Kind::Dict: return !v.dict->entries.empty();
    case Kind::Namespace:
    case Kind::Callable: return true;
  }
  return false;
}

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  // sci is "[-]d[.ddd]e[+-]XX": split into sign, digits and decimal exponent.
  std::string sign;
  std::size_t pos = 0;
  if (sci[0] == '-') {
    sign = "-";
    pos = 1;
  }
  std::size_t e = sci.find('e');
  std::string digits;
  for (std::size_t i = pos; i < e; ++i) {
    if (sci[i] != '.') digits += sci[i];
  }
  int exponent = std::stoi(sci.substr(e + 1));
  std::string out = sign;
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      auto int_len = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits + std::string(int_len - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, int_len) + "." + digits.substr(int_len);
      }
    } else {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) {
    out += '.';
    out += digits.substr(1);
  }
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exponent < 0 ? '-' : '+', exponent < 0 ? -exponent : exponent);
  out += ebuf;
  return out;
}

namespace {

void append_string_repr(std::string& out, const std::string& s) {
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (is_printable(c)) {
      append_utf8(out, c);
    } else {
      char buf[16];
      if (c < 0x100) {
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
      } else if (c < 0x10000) {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      } else {
        std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c));
      }
      out += buf;
    }
  }
  out += quote;
}

void append_items(std::string& out, const std::vector<Value>& items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    append_repr(out, items[i]);
  }
}

void append_dict(std::string& out, const DictData& d) {
  out += '{';
  for (std::size_t i = 0; i < d.entries.size(); ++i) {
    if (i > 0) out += ", ";
    append_repr(out, d.entries[i].first);
    out += ": ";
    append_repr(out, d.entries[i].second);
  }
  out += '}';
}

}  // namespace

void append_repr(std::string& out, const Value& v) {
  if (out.size() > kMaxStringBytes) throw TemplateError("text too long");
  switch (v.kind) {
    case Kind::Undefined: out += "Undefined"; return;
    case Kind::String: append_string_repr(out, *v.text); return;
    case Kind::Dict: append_dict(out, *v.dict); return;
    case Kind::Namespace:
      out += "<Namespace ";
      append_dict(out, *v.dict);
      out += '>';
      return;
    case Kind::List: {
      const ListData& l = *v.list;
      switch (l.seq) {
        case SeqKind::List:
          out += '[';
          append_items(out, l.items);
          out += ']';
          return;
        case SeqKind::Tuple:
          out += '(';
          append_items(out, l.items);
          if (l.items.size() == 1) out += ',';
          out += ')';
          return;
        case SeqKind::Range:
          out += "range(" + std::to_string(l.range_start) + ", " + std::to_string(l.range_stop);
          if (l.range_step != 1) out += ", " + std::to_string(l.range_step);
          out += ')';
          return;
        case SeqKind::DictItems:
        case SeqKind::DictKeys:
        case SeqKind::DictValues:
          out += type_name(v) + "([";
          append_items(out, l.items);
          out += "])";
          return;
        case SeqKind::Generator:
          throw TemplateError("cannot print a generator (the result of a filter like map or select); "
                              "Python prints its address: add '|list'");
      }
      return;
    }
    default: out += to_str(v); return;
  }
}

std::string repr(const Value& v) {
  std::string out;
  append_repr(out, v);
  return out;
}

std::string to_str(const Value& v) {
  switch (v.kind) {
    case Kind::Undefined: return "";
    case Kind::None: return "None";
    case Kind::Bool: return v.boolean ? "True" : "False";
    case Kind::Int: return std::to_string(v.integer);
    case Kind::Float: return float_repr(v.real);
    case Kind::String: return *v.text;
    case Kind::Callable:
      throw TemplateError("cannot print " + v.callable->describe() + " (Python prints its address)");
    default: return repr(v);
  }
}

namespace {

bool sequence_equal(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!equals(a[i], b[i])) return false;
  }
  return true;
}

double as_double(const Value& v) { return v.kind == Kind::Float ? v.real : static_cast<double>(v.integer); }

}  // namespace

bool equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.kind != Kind::Float && b.kind != Kind::Float) return a.integer == b.integer;
    return as_double(a) == as_double(b);
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::Undefined:
    case Kind::None: return true;
    case Kind::String: return *a.text == *b.text;
    case Kind::List: {
      if (a.list == b.list) return true;
      SeqKind sa = a.list->seq, sb = b.list->seq;
      if (sa != sb || sa == SeqKind::Generator || sa == SeqKind::DictValues) return a.list == b.list;
      return sequence_equal(a.list->items, b.list->items);
    }
    case Kind::Dict: {
      if (a.dict == b.dict) return true;
      if (a.dict->entries.size() != b.dict->entries.size()) return false;
      for (const auto& [key, value] : a.dict->entries) {
        const Value* other = b.dict->find(key);
        if (other == nullptr || !equals(value, *other)) return false;
      }
      return true;
    }
    case Kind::Namespace: return a.dict == b.dict;
    case Kind::Callable: return a.callable == b.callable;
    default: return false;
  }
}

int compare(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.kind != Kind::Float && b.kind != Kind::Float) {
      return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
    }
    double x = as_double(a), y = as_double(b);
    return x < y ? -1 : x > y ? 1 : 0;  // NaN compares as equal: all comparisons false in Python too
  }
  if (a.kind == Kind::String && b.kind == Kind::String) {
    int c = a.text->compare(*b.text);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.kind == Kind::List && b.kind == Kind::List && a.list->seq == b.list->seq &&
      (a.list->seq == SeqKind::List || a.list->seq == SeqKind::Tuple)) {
    const auto& x = a.list->items;
    const auto& y = b.list->items;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!equals(x[i], y[i])) return compare(x[i], y[i]);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  throw TemplateError("comparison not supported between instances of '" + type_name(a) + "' and '" +
                      type_name(b) + "'");
}

std::string key_of(const Value& v) {
  switch (v.kind) {
    case Kind::None: return "n";
    case Kind::Undefined: return "u";  // Undefined hashes by type and equals any Undefined
    case Kind::Bool:
    case Kind::Int: return "i:" + std::to_string(v.integer);
    case Kind::Float:
      if (std::isfinite(v.real) && std::trunc(v.real) == v.real && std::fabs(v.real) < 9.0e18) {
        return "i:" + std::to_string(static_cast<std::int64_t>(v.real));
      }
      return "f:" + float_repr(v.real);
    case Kind::String: return "s:" + *v.text;
    case Kind::List:
      if (v.list->seq == SeqKind::Tuple) {
        std::string k = "t:";
        for (const auto& item : v.list->items) {
          std::string part = key_of(item);
          k += std::to_string(part.size()) + ":" + part;
        }
        return k;
      }
      break;
    default: break;
  }
  throw TemplateError("unhashable type: '" + type_name(v) + "'");
}

std::vector<Value> iterate(const Value& v) {
  switch (v.kind) {
    case Kind::Undefined: return {};
    case Kind::List: return v.list->items;
    case Kind::Dict: {
      std::vector<Value> keys;
      keys.reserve(v.dict->entries.size());
      for (const auto& entry : v.dict->entries) keys.push_back(entry.first);
      return keys;
    }
    case Kind::String: {
      std::vector<Value> chars;
      const std::string& s = *v.text;
      if (count_code_points(s) > kMaxListItems) throw TemplateError("string too long to iterate over");
      for (std::size_t i = 0; i < s.size();) {
        std::size_t start = i;
        next_code_point(s, i);
        chars.push_back(Value::from_string(s.substr(start, i - start)));
      }
      return chars;
    }
    default: throw TemplateError("'" + type_name(v) + "' object is not iterable");
  }
}

std::int64_t length_of(const Value& v) {
  switch (v.kind) {
    case Kind::Undefined: return 0;
    case Kind::String: return static_cast<std::int64_t>(count_code_points(*v.text));
    case Kind::List:
      if (v.list->seq == SeqKind::Generator) break;
      return static_cast<std::int64_t>(v.list->items.size());
    case Kind::Dict: return static_cast<std::int64_t>(v.dict->entries.size());
    default: break;
  }
  throw TemplateError("object of type '" + type_name(v) + "' has no len()");
}

}  // namespace slm::jinja

namespace slm::jinja {

std::uint64_t cost_of(const Value& v) {
  switch (v.kind) {
    case Kind::String: return v.text->size() / 16;
    case Kind::List: return v.list->items.size();
    case Kind::Dict:
    case Kind::Namespace: return v.dict->entries.size();
    default: return 0;
  }
}

}  // namespace slm::jinja
