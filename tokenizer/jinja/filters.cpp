#include "tokenizer/jinja/filters.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include "tokenizer/jinja/args.h"
#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/json.h"
#include "tokenizer/jinja/methods.h"
#include "tokenizer/jinja/operators.h"
#include "tokenizer/jinja/unicode.h"

namespace slm::jinja {

namespace {

bool is_one_of(const std::string& s, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

const std::initializer_list<const char*> kFilters = {
    "abs",   "attr",   "batch",  "capitalize", "count",  "d",       "default",    "dictsort", "e",       "escape",
    "first", "float",  "forceescape", "format", "indent", "int",    "items",      "join",     "last",    "length",
    "list",  "lower",  "map",    "max",        "min",    "reject",  "rejectattr", "replace",  "reverse", "round",
    "safe",  "select", "selectattr", "sort",   "string", "sum",     "title",      "tojson",   "trim",    "unique",
    "upper", "wordcount"};
const std::initializer_list<const char*> kUnsupportedFilters = {
    "center", "filesizeformat", "groupby", "pprint", "random", "slice", "striptags", "truncate", "urlencode", "urlize",
    "wordwrap", "xmlattr"};
const std::initializer_list<const char*> kTests = {
    "defined", "undefined", "none",  "boolean", "false",   "true",     "integer",  "float",  "number", "string",
    "mapping", "iterable",  "sequence", "callable", "sameas", "escaped", "in",     "eq",     "equalto", "==",
    "ne",      "!=",        "lt",    "lessthan", "<",      "le",       "<=",       "gt",     "greaterthan", ">",
    "ge",      ">=",        "odd",   "even",    "divisibleby", "lower", "upper",   "filter", "test"};

Value generator(std::vector<Value> items) { return Value::from_list(std::move(items), SeqKind::Generator); }

// jinja2's make_attrgetter: "a.b.0" looked up part by part with getitem.
Value lookup_attribute(const Value& item, const Value& attribute) {
  if (!attribute.is_string()) return get_item(item, attribute);
  Value cur = item;
  const std::string& path = attribute.str();
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits && part.size() < 18) {
      cur = get_item(cur, Value::from_int(std::stoll(part)));
    } else {
      cur = get_item(cur, Value::from_string(part));
    }
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

Value ignore_case(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value::from_string(to_lower(v.str()));
  return v;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Python int(str): optional sign, digits with single underscores, surrounding whitespace.
bool parse_python_int(const std::string& text, std::int64_t& out) {
  std::string_view s = strip(text, nullptr, true, true);
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i >= s.size()) return false;
  std::int64_t v = 0;
  bool prev_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_' && prev_digit && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
      prev_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return false;
    v = checked_add(checked_mul(v, 10), negative ? -(c - '0') : (c - '0'));
    prev_digit = true;
  }
  out = v;
  return true;
}

bool parse_python_float(const std::string& text, double& out) {
  std::string s(strip(text, nullptr, true, true));
  if (s.empty()) return false;
  std::string lower = to_lower(s);
  std::string body = lower[0] == '+' || lower[0] == '-' ? lower.substr(1) : lower;
  if (body == "inf" || body == "infinity" || body == "nan") {
    double v = body == "nan" ? std::nan("") : HUGE_VAL;
    out = lower[0] == '-' ? -v : v;
    return true;
  }
  std::string cleaned;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      bool ok = i > 0 && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
                std::isdigit(static_cast<unsigned char>(s[i + 1]));
      if (!ok) return false;
      continue;
    }
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return false;
    }
    cleaned += c;
  }
  char* end = nullptr;
  out = std::strtod(cleaned.c_str(), &end);
  return end != nullptr && *end == '\0' && end != cleaned.c_str();
}

Value to_int(const Value& v, const Value& fallback) {
  switch (v.kind) {
    case Kind::Int:
    case Kind::Bool: return Value::from_int(v.integer);
    case Kind::Float:
      if (std::isfinite(v.real) && std::fabs(v.real) < 9.2e18) return Value::from_int(static_cast<std::int64_t>(v.real));
      return fallback;
    case Kind::String: {
      std::int64_t i = 0;
      if (parse_python_int(v.str(), i)) return Value::from_int(i);
      double d = 0;
      if (parse_python_float(v.str(), d) && std::isfinite(d) && std::fabs(d) < 9.2e18) {
        return Value::from_int(static_cast<std::int64_t>(d));
      }
      return fallback;
    }
    default: return fallback;
  }
}

Value to_float(const Value& v, const Value& fallback) {
  switch (v.kind) {
    case Kind::Int:
    case Kind::Bool: return Value::from_float(static_cast<double>(v.integer));
    case Kind::Float: return v;
    case Kind::String: {
      double d = 0;
      return parse_python_float(v.str(), d) ? Value::from_float(d) : fallback;
    }
    default: return fallback;
  }
}

Value round_value(const Value& v, std::int64_t precision, const std::string& method) {
  if (!v.is_number()) {
    if (v.is_undefined()) fail_undefined(v);
    throw TemplateError("type " + type_name(v) + " doesn't define __round__ method");
  }
  if (method == "common") {
    if (v.kind != Kind::Float) return Value::from_int(v.integer);  // round(int, n) stays int for n >= 0
    if (precision < 0 || precision > 300) throw TemplateError("unsupported: round() precision " + std::to_string(precision));
    if (!std::isfinite(v.real)) return v;
    // printf rounds the exact binary value half-to-even, as Python's round does.
    std::vector<char> buf(static_cast<std::size_t>(precision) + 400);
    std::snprintf(buf.data(), buf.size(), "%.*f", static_cast<int>(precision), v.real);
    return Value::from_float(std::strtod(buf.data(), nullptr));
  }
  if (method != "floor" && method != "ceil") throw TemplateError("method must be 'common', 'ceil' or 'floor'");
  if (precision < 0 || precision > 300) throw TemplateError("unsupported: round() precision " + std::to_string(precision));
  double x = v.kind == Kind::Float ? v.real : static_cast<double>(v.integer);
  double scale = std::pow(10.0, static_cast<double>(precision));
  double r = method == "floor" ? std::floor(x * scale) : std::ceil(x * scale);
  return Value::from_float(r / scale);
}

std::string indent_text(const std::string& text, const Value& width, bool first, bool blank) {
  std::string indention;
  if (width.is_string()) {
    indention = width.str();
  } else if (width.kind == Kind::Int || width.kind == Kind::Bool) {
    if (width.integer > 1000) throw TemplateError("unsupported: indent width over 1000");
    indention = std::string(static_cast<std::size_t>(std::max<std::int64_t>(0, width.integer)), ' ');
  } else {
    throw TemplateError("indent width must be an int or a string, not " + type_name(width));
  }
  std::vector<std::string> lines = split_lines(text + "\n", false);
  std::string rv;
  if (blank) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) rv += "\n" + indention;
      rv += lines[i];
    }
  } else {
    rv = lines.empty() ? std::string() : lines[0];
    for (std::size_t i = 1; i < lines.size(); ++i) {
      rv += "\n";
      if (!lines[i].empty()) rv += indention;
      rv += lines[i];
      if (rv.size() > kMaxStringBytes) throw TemplateError("string too long");
    }
  }
  if (first) rv = indention + rv;
  return rv;
}

std::string jinja_title(const std::string& s) {
  // jinja2 splits on runs of [-\s({\[<] and capitalizes each piece's first character.
  std::string out;
  bool at_word_start = true;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    bool sep = is_space(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
    if (sep) {
      append_utf8(out, c);
      at_word_start = true;
    } else if (at_word_start) {
      append_upper(out, c);
      at_word_start = false;
    } else {
      append_lower(out, c);
    }
  }
  return out;
}

std::int64_t word_count(const std::string& s) {
  std::int64_t n = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    bool word = is_alpha(c) || is_digit(c) || c == '_';
    if (word && !in_word) ++n;
    in_word = word;
  }
  return n;
}

JsonDumpOptions json_options(const BoundArgs& a) {
  JsonDumpOptions o;
  o.ensure_ascii = a.get_bool(0, false);
  if (a.has(1) && !a.get(1).is_none()) {
    const Value& ind = a.get(1);
    if (ind.is_string()) {
      o.indent = ind.str();
    } else if (ind.kind == Kind::Int) {
      if (ind.integer > 1000) throw TemplateError("unsupported: tojson indent over 1000");
      o.indent = std::string(static_cast<std::size_t>(std::max<std::int64_t>(0, ind.integer)), ' ');
    } else {
      throw TemplateError("tojson indent must be an int or a string");
    }
    o.item_separator = ",";
  }
  if (a.has(2) && !a.get(2).is_none()) {
    const auto& seps = a.get(2).items();
    if (!a.get(2).is_list() || seps.size() != 2 || !seps[0].is_string() || !seps[1].is_string()) {
      throw TemplateError("tojson separators must be a pair of strings");
    }
    o.item_separator = seps[0].str();
    o.key_separator = seps[1].str();
  }
  o.sort_keys = a.get_bool(3, false);
  return o;
}

// select/reject/selectattr/rejectattr: the test applied to each item (or its attribute).
Value select_items(Interpreter& interp, const std::string& name, const Value& value, const CallArgs& args) {
  bool by_attr = name == "selectattr" || name == "rejectattr";
  bool keep_when = name == "select" || name == "selectattr";
  std::size_t next = 0;
  Value attribute;
  if (by_attr) {
    if (args.positional.empty()) throw TemplateError("filter '" + name + "' needs an attribute name");
    attribute = args.positional[next++];
  }
  std::string test;
  CallArgs test_args;
  if (next < args.positional.size()) {
    const Value& t = args.positional[next++];
    if (!t.is_string()) throw TemplateError("filter '" + name + "': the test name must be a string");
    test = t.str();
    if (test_support(test) == Support::Unknown) throw TemplateError("no test named '" + test + "'");
    test_args.positional.assign(args.positional.begin() + static_cast<std::ptrdiff_t>(next), args.positional.end());
    test_args.keyword = args.keyword;
  } else if (!args.keyword.empty()) {
    throw TemplateError("filter '" + name + "' got unexpected keyword arguments");
  }
  std::vector<Value> out;
  if (!truthy(value)) return generator({});  // jinja2 checks `if value:` first
  for (const auto& item : iterate(value)) {
    interp.charge(1);
    Value subject = by_attr ? lookup_attribute(item, attribute) : item;
    bool ok = test.empty() ? truthy(subject) : apply_test(interp, test, subject, test_args);
    if (ok == keep_when) out.push_back(item);
  }
  return generator(std::move(out));
}

Value map_items(Interpreter& interp, const Value& value, const CallArgs& args) {
  std::vector<Value> out;
  if (!truthy(value)) return generator({});  // jinja2 checks `if value:` first
  const Value* attribute = nullptr;
  const Value* fallback = nullptr;
  for (const auto& [k, v] : args.keyword) {
    if (k == "attribute") attribute = &v;
    if (k == "default") fallback = &v;
  }
  if (attribute != nullptr) {
    if (!args.positional.empty()) throw TemplateError("filter 'map' takes no positional arguments with attribute=");
    for (const auto& item : iterate(value)) {
      interp.charge(1);
      Value v = lookup_attribute(item, *attribute);
      if (v.is_undefined() && fallback != nullptr) v = *fallback;
      out.push_back(std::move(v));
    }
    return generator(std::move(out));
  }
  if (args.positional.empty() || !args.positional[0].is_string()) {
    throw TemplateError("filter 'map' needs a filter name or attribute=");
  }
  std::string filter = args.positional[0].str();
  if (filter_support(filter) == Support::Unknown) throw TemplateError("no filter named '" + filter + "'");
  CallArgs rest;
  rest.positional.assign(args.positional.begin() + 1, args.positional.end());
  rest.keyword = args.keyword;
  for (const auto& item : iterate(value)) {
    interp.charge(1);
    out.push_back(apply_filter(interp, filter, item, rest));
  }
  return generator(std::move(out));
}

Value sorted_values(Interpreter& interp, std::vector<Value> items, bool reverse, bool case_sensitive,
                    const Value* attribute) {
  interp.charge(items.size() * 4);
  std::vector<std::pair<Value, Value>> keyed;
  keyed.reserve(items.size());
  for (auto& item : items) {
    Value key = attribute != nullptr ? lookup_attribute(item, *attribute) : item;
    keyed.emplace_back(ignore_case(key, case_sensitive), std::move(item));
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    return reverse ? compare(b.first, a.first) < 0 : compare(a.first, b.first) < 0;
  });
  std::vector<Value> out;
  out.reserve(keyed.size());
  for (auto& kv : keyed) out.push_back(std::move(kv.second));
  return Value::from_list(std::move(out));
}

Value min_max(const Value& value, bool want_max, const BoundArgs& a) {
  bool case_sensitive = a.get_bool(0, false);
  const Value* attribute = a.has(1) && !a.get(1).is_none() ? &a.get(1) : nullptr;
  std::vector<Value> items = iterate(value);
  if (items.empty()) return Value::undefined(std::string("No aggregated item, sequence was empty."));
  std::size_t best = 0;
  Value best_key;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Value key = ignore_case(attribute != nullptr ? lookup_attribute(items[i], *attribute) : items[i], case_sensitive);
    if (i == 0 || (want_max ? compare(key, best_key) > 0 : compare(key, best_key) < 0)) {
      best = i;
      best_key = key;
    }
  }
  return items[best];
}

}  // namespace

Support filter_support(const std::string& name) {
  if (is_one_of(name, kFilters)) return Support::Supported;
  if (is_one_of(name, kUnsupportedFilters)) return Support::Unsupported;
  return Support::Unknown;
}

Support test_support(const std::string& name) {
  return is_one_of(name, kTests) ? Support::Supported : Support::Unknown;
}

Value apply_filter(Interpreter& interp, const std::string& name, const Value& value, const CallArgs& args) {
  const std::string what = "filter '" + name + "'";
  if (name == "default" || name == "d") {
    BoundArgs a(what, args, {"default_value", "boolean"});
    bool use_default = value.is_undefined() || (a.get_bool(1, false) && !truthy(value));
    return use_default ? a.get_or(0, Value::from_string("")) : value;
  }
  if (name == "length" || name == "count") {
    BoundArgs a(what, args, {});
    return Value::from_int(length_of(value));
  }
  if (name == "string" || name == "safe") {
    BoundArgs a(what, args, {});
    return Value::from_string(to_str(value));  // safe: Markup(value), a str
  }
  if (name == "upper" || name == "lower" || name == "capitalize" || name == "title" || name == "wordcount" ||
      name == "escape" || name == "e" || name == "forceescape") {
    BoundArgs a(what, args, {});
    std::string s = to_str(value);
    if (name == "upper") return Value::from_string(to_upper(s));
    if (name == "lower") return Value::from_string(to_lower(s));
    if (name == "capitalize") return Value::from_string(capitalize_string(s));
    if (name == "title") return Value::from_string(jinja_title(s));
    if (name == "wordcount") return Value::from_int(word_count(s));
    return Value::from_string(html_escape(s));
  }
  if (name == "trim") {
    BoundArgs a(what, args, {"chars"});
    std::string s = to_str(value);
    std::string chars;
    bool custom = a.has(0) && !a.get(0).is_none();
    if (custom) chars = a.get_string(0, "");
    return Value::from_string(std::string(strip(s, custom ? &chars : nullptr, true, true)));
  }
  if (name == "replace") {
    BoundArgs a(what, args, {"old", "new", "count"});
    std::int64_t count = a.has(2) && !a.get(2).is_none() ? a.get_int(2, -1) : -1;
    return Value::from_string(replace_string(to_str(value), to_str(a.get(0)), to_str(a.get(1)), count));
  }
  if (name == "tojson") {
    BoundArgs a(what, args, {"ensure_ascii", "indent", "separators", "sort_keys"});
    return Value::from_string(dump_json(value, json_options(a)));
  }
  if (name == "join") {
    BoundArgs a(what, args, {"d", "attribute"});
    std::string sep = to_str(a.get_or(0, Value::from_string("")));
    std::string out;
    bool first = true;
    for (const auto& item : iterate(value)) {
      interp.charge(1);
      if (!first) out += sep;
      first = false;
      out += to_str(a.has(1) && !a.get(1).is_none() ? lookup_attribute(item, a.get(1)) : item);
      if (out.size() > kMaxStringBytes) throw TemplateError("string too long");
    }
    return Value::from_string(std::move(out));
  }
  if (name == "first") {
    BoundArgs a(what, args, {});
    std::vector<Value> items = iterate(value);
    return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
  }
  if (name == "last") {
    BoundArgs a(what, args, {});
    if (value.is_list() && value.list->seq == SeqKind::Generator) throw TemplateError("'generator' object is not reversible");
    std::vector<Value> items = iterate(value);
    return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
  }
  if (name == "list") {
    BoundArgs a(what, args, {});
    return Value::from_list(iterate(value));
  }
  if (name == "items") {
    BoundArgs a(what, args, {});
    if (value.is_undefined()) return generator({});
    if (!value.is_dict()) throw TemplateError("Can only get item pairs from a mapping.");
    std::vector<Value> out;
    for (const auto& [k, v] : value.dict->entries) out.push_back(Value::from_list({k, v}, SeqKind::Tuple));
    return generator(std::move(out));
  }
  if (name == "dictsort") {
    BoundArgs a(what, args, {"case_sensitive", "by", "reverse"});
    if (value.is_undefined()) fail_undefined(value);
    if (!value.is_dict()) throw TemplateError("dictsort: expected a mapping, got " + type_name(value));
    std::string by = a.get_string(1, "key");
    if (by != "key" && by != "value") throw TemplateError("You can only sort by either 'key' or 'value'");
    bool case_sensitive = a.get_bool(0, false);
    bool reverse = a.get_bool(2, false);
    std::vector<std::pair<Value, Value>> keyed;
    for (const auto& [k, v] : value.dict->entries) {
      keyed.emplace_back(ignore_case(by == "key" ? k : v, case_sensitive), Value::from_list({k, v}, SeqKind::Tuple));
    }
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
      return reverse ? compare(y.first, x.first) < 0 : compare(x.first, y.first) < 0;
    });
    std::vector<Value> out;
    for (auto& kv : keyed) out.push_back(std::move(kv.second));
    return Value::from_list(std::move(out));
  }
  if (name == "sort") {
    BoundArgs a(what, args, {"reverse", "case_sensitive", "attribute"});
    const Value* attribute = a.has(2) && !a.get(2).is_none() ? &a.get(2) : nullptr;
    return sorted_values(interp, iterate(value), a.get_bool(0, false), a.get_bool(1, false), attribute);
  }
  if (name == "unique") {
    BoundArgs a(what, args, {"case_sensitive", "attribute"});
    bool case_sensitive = a.get_bool(0, false);
    const Value* attribute = a.has(1) && !a.get(1).is_none() ? &a.get(1) : nullptr;
    std::vector<Value> out;
    std::vector<std::string> seen;
    for (const auto& item : iterate(value)) {
      interp.charge(1);
      std::string key = key_of(ignore_case(attribute != nullptr ? lookup_attribute(item, *attribute) : item, case_sensitive));
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      interp.charge(seen.size());
      seen.push_back(std::move(key));
      out.push_back(item);
    }
    return generator(std::move(out));
  }
  if (name == "reverse") {
    BoundArgs a(what, args, {});
    if (value.is_string()) {
      auto offsets = code_point_offsets(value.str());
      std::string out;
      for (std::size_t i = offsets.size() - 1; i > 0; --i) out.append(value.str(), offsets[i - 1], offsets[i] - offsets[i - 1]);
      return Value::from_string(std::move(out));
    }
    bool was_generator = value.is_list() && value.list->seq == SeqKind::Generator;
    std::vector<Value> items = iterate(value);
    std::reverse(items.begin(), items.end());
    // reversed(list) is an iterator; a generator is first turned into a list.
    return Value::from_list(std::move(items), was_generator ? SeqKind::List : SeqKind::Generator);
  }
  if (name == "map") return map_items(interp, value, args);
  if (name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr") {
    return select_items(interp, name, value, args);
  }
  if (name == "int") {
    BoundArgs a(what, args, {"default", "base"});
    if (a.get_int(1, 10) != 10) throw TemplateError("unsupported: int filter with a base other than 10");
    if (value.is_undefined()) fail_undefined(value);
    return to_int(value, a.get_or(0, Value::from_int(0)));
  }
  if (name == "float") {
    BoundArgs a(what, args, {"default"});
    if (value.is_undefined()) fail_undefined(value);
    return to_float(value, a.get_or(0, Value::from_float(0.0)));
  }
  if (name == "abs") {
    BoundArgs a(what, args, {});
    if (!value.is_number()) {
      if (value.is_undefined()) fail_undefined(value);
      throw TemplateError("bad operand type for abs(): '" + type_name(value) + "'");
    }
    if (value.kind == Kind::Float) return Value::from_float(std::fabs(value.real));
    return value.integer < 0 ? unary_op("-", Value::from_int(value.integer)) : Value::from_int(value.integer);
  }
  if (name == "round") {
    BoundArgs a(what, args, {"precision", "method"});
    return round_value(value, a.get_int(0, 0), a.get_string(1, "common"));
  }
  if (name == "indent") {
    BoundArgs a(what, args, {"width", "first", "blank"});
    if (value.is_undefined()) fail_undefined(value);
    if (!value.is_string()) throw TemplateError("'" + type_name(value) + "' object has no attribute 'splitlines'");
    return Value::from_string(indent_text(to_str(value), a.get_or(0, Value::from_int(4)), a.get_bool(1, false),
                                          a.get_bool(2, false)));
  }
  if (name == "attr") {
    BoundArgs a(what, args, {"name"});
    return get_attr(value, a.get_string(0, ""));
  }
  if (name == "batch") {
    BoundArgs a(what, args, {"linecount", "fill_with"});
    std::int64_t n = a.get_int(0, 1);
    if (n <= 0) throw TemplateError("batch size must be positive");
    std::vector<Value> out;
    std::vector<Value> cur;
    for (const auto& item : iterate(value)) {
      cur.push_back(item);
      if (static_cast<std::int64_t>(cur.size()) == n) {
        out.push_back(Value::from_list(std::move(cur)));
        cur.clear();
      }
    }
    if (!cur.empty()) {
      if (a.has(1) && !a.get(1).is_none()) {
        while (static_cast<std::int64_t>(cur.size()) < n) cur.push_back(a.get(1));
      }
      out.push_back(Value::from_list(std::move(cur)));
    }
    return generator(std::move(out));
  }
  if (name == "sum") {
    BoundArgs a(what, args, {"attribute", "start"});
    Value total = a.get_or(1, Value::from_int(0));
    for (const auto& item : iterate(value)) {
      interp.charge(1);
      total = binary_op("+", total, a.has(0) && !a.get(0).is_none() ? lookup_attribute(item, a.get(0)) : item);
    }
    return total;
  }
  if (name == "min" || name == "max") {
    BoundArgs a(what, args, {"case_sensitive", "attribute"});
    return min_max(value, name == "max", a);
  }
  if (name == "format") {
    if (!args.keyword.empty()) throw TemplateError("unsupported: keyword arguments of filter 'format'");
    return binary_op("%", Value::from_string(to_str(value)), Value::from_list(args.positional, SeqKind::Tuple));
  }
  if (filter_support(name) == Support::Unsupported) throw TemplateError("unsupported filter '" + name + "'");
  throw TemplateError("no filter named '" + name + "'");
}

bool apply_test(Interpreter& interp, const std::string& name, const Value& value, const CallArgs& args) {
  (void)interp;
  const std::string what = "test '" + name + "'";
  auto no_args = [&]() { BoundArgs a(what, args, {}); };
  if (name == "defined" || name == "undefined") {
    no_args();
    return value.is_undefined() == (name == "undefined");
  }
  if (name == "none") return no_args(), value.is_none();
  if (name == "boolean") return no_args(), value.kind == Kind::Bool;
  if (name == "true" || name == "false") return no_args(), value.kind == Kind::Bool && value.boolean == (name == "true");
  if (name == "integer") return no_args(), value.kind == Kind::Int;
  if (name == "float") return no_args(), value.kind == Kind::Float;
  if (name == "number") return no_args(), value.is_number();
  if (name == "string") return no_args(), value.is_string();
  if (name == "mapping") return no_args(), value.is_dict();
  if (name == "iterable") {
    no_args();
    return value.is_undefined() || value.is_string() || value.is_list() || value.is_dict();
  }
  if (name == "sequence") {
    no_args();
    return value.is_undefined() || value.is_string() || value.is_dict() ||
           (value.is_list() && value.list->seq != SeqKind::Generator);
  }
  if (name == "callable") return no_args(), value.kind == Kind::Callable || value.is_undefined();
  if (name == "escaped") return no_args(), false;
  if (name == "lower" || name == "upper") {
    no_args();
    std::string s = to_str(value);
    bool cased = false;
    for (std::size_t i = 0; i < s.size();) {
      char32_t c = next_code_point(s, i);
      if (name == "lower" ? is_upper(c) : is_lower(c)) return false;
      cased = cased || is_upper(c) || is_lower(c);
    }
    return cased;
  }
  if (name == "odd" || name == "even") {
    no_args();
    Value r = binary_op("%", value, Value::from_int(2));
    double rest = r.kind == Kind::Float ? r.real : static_cast<double>(r.integer);
    return name == "odd" ? rest == 1.0 : rest == 0.0;
  }
  if (name == "divisibleby") {
    BoundArgs a(what, args, {"num"});
    Value r = binary_op("%", value, a.get(0));
    return r.kind == Kind::Float ? r.real == 0.0 : r.integer == 0;
  }
  if (name == "filter" || name == "test") {
    no_args();
    if (!value.is_string()) return false;
    return name == "filter" ? filter_support(value.str()) != Support::Unknown : test_support(value.str()) != Support::Unknown;
  }
  BoundArgs a(what, args, {"other"});
  const Value& other = a.get(0);
  if (name == "sameas") {
    if (value.kind != other.kind) return false;
    switch (value.kind) {
      case Kind::List: return value.list == other.list;
      case Kind::Dict:
      case Kind::Namespace: return value.dict == other.dict;
      case Kind::Callable: return value.callable == other.callable;
      case Kind::String: return value.text == other.text || value.str() == other.str();
      default: return equals(value, other);
    }
  }
  if (name == "in") return contains(other, value);
  if (name == "eq" || name == "equalto" || name == "==") return compare_op("==", value, other);
  if (name == "ne" || name == "!=") return compare_op("!=", value, other);
  if (name == "lt" || name == "lessthan" || name == "<") return compare_op("<", value, other);
  if (name == "le" || name == "<=") return compare_op("<=", value, other);
  if (name == "gt" || name == "greaterthan" || name == ">") return compare_op(">", value, other);
  if (name == "ge" || name == ">=") return compare_op(">=", value, other);
  throw TemplateError("no test named '" + name + "'");
}

}  // namespace slm::jinja
