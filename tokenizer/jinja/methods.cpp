#include "tokenizer/jinja/methods.h"

#include <algorithm>
#include <initializer_list>

#include "tokenizer/jinja/args.h"
#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/operators.h"
#include "tokenizer/jinja/unicode.h"

namespace slm::jinja {

namespace {

bool is_one_of(const std::string& s, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

std::size_t code_points_before(const std::string& s, std::size_t byte_pos) {
  return count_code_points(std::string_view(s).substr(0, byte_pos));
}

bool all_code_points(const std::string& s, bool (*pred)(char32_t)) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size();) {
    if (!pred(next_code_point(s, i))) return false;
  }
  return true;
}

// islower/isupper: at least one cased character and none of the other case.
bool has_case(const std::string& s, bool upper) {
  bool cased = false;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    if (upper ? is_lower(c) : is_upper(c)) return false;
    if (upper ? is_upper(c) : is_lower(c)) cased = true;
  }
  return cased;
}

std::string str_format(const std::string& fmt, const CallArgs& args) {
  std::string out;
  std::size_t auto_index = 0;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') ++i;
      else throw TemplateError("str.format: single '}' encountered in format string");
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    std::size_t close = fmt.find('}', i);
    if (close == std::string::npos) throw TemplateError("str.format: single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, close - i - 1);
    if (field.find_first_of(":!.[") != std::string::npos) {
      throw TemplateError("unsupported: str.format field '{" + field + "}' (only {}, {0} and {name})");
    }
    const Value* v = nullptr;
    if (field.empty() || std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      std::size_t idx = field.empty() ? auto_index++ : std::stoul(field);
      if (idx >= args.positional.size()) throw TemplateError("str.format: replacement index out of range");
      v = &args.positional[idx];
    } else {
      for (const auto& [k, val] : args.keyword) {
        if (k == field) v = &val;
      }
      if (v == nullptr) throw TemplateError("str.format: missing key '" + field + "'");
    }
    out += to_str(*v);
    i = close;
  }
  return out;
}

Value string_method(const std::string& s, const std::string& name, CallArgs& args) {
  const std::string what = "str." + name + "()";
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize" || name == "isalpha" ||
      name == "isdigit" || name == "isalnum" || name == "isspace" || name == "islower" || name == "isupper" ||
      name == "splitlines") {
    BoundArgs a(what, args, {name == "splitlines" ? "keepends" : "unused"});
    if (name == "splitlines") {
      std::vector<Value> lines;
      for (auto& line : split_lines(s, a.get_bool(0, false))) lines.push_back(Value::from_string(std::move(line)));
      return Value::from_list(std::move(lines));
    }
    if (a.has(0)) throw TemplateError(what + " takes no arguments");
    if (name == "upper") return Value::from_string(to_upper(s));
    if (name == "lower") return Value::from_string(to_lower(s));
    if (name == "title") return Value::from_string(title_string(s));
    if (name == "capitalize") return Value::from_string(capitalize_string(s));
    if (name == "isalpha") return Value::from_bool(all_code_points(s, is_alpha));
    if (name == "isdigit") return Value::from_bool(all_code_points(s, is_digit));
    if (name == "isalnum") return Value::from_bool(all_code_points(s, [](char32_t c) { return is_alpha(c) || is_digit(c); }));
    if (name == "isspace") return Value::from_bool(all_code_points(s, is_space));
    if (name == "islower") return Value::from_bool(has_case(s, false));
    return Value::from_bool(has_case(s, true));
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    BoundArgs a(what, args, {"chars"});
    std::string chars;
    bool custom = a.has(0) && !a.get(0).is_none();
    if (custom) chars = a.get_string(0, "");
    return Value::from_string(std::string(strip(s, custom ? &chars : nullptr, name != "rstrip", name != "lstrip")));
  }
  if (name == "split" || name == "rsplit") {
    BoundArgs a(what, args, {"sep", "maxsplit"});
    return Value::from_list(split_string(s, a.get_or(0, Value::none()), a.get_int(1, -1), name == "rsplit"));
  }
  if (name == "startswith" || name == "endswith") {
    BoundArgs a(what, args, {"prefix", "start", "end"});
    if (a.has(1) || a.has(2)) throw TemplateError("unsupported: start/end arguments of str." + name + "()");
    std::vector<Value> options;
    const Value& p = a.get(0);
    if (p.is_list() && p.list->seq == SeqKind::Tuple) {
      options = p.list->items;
    } else {
      options.push_back(p);
    }
    for (const auto& o : options) {
      if (!o.is_string()) throw TemplateError(what + " argument must be str or a tuple of str, not " + type_name(o));
      const std::string& x = o.str();
      if (x.size() > s.size()) continue;
      if (name == "startswith" ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0) {
        return Value::from_bool(true);
      }
    }
    return Value::from_bool(false);
  }
  if (name == "replace") {
    BoundArgs a(what, args, {"old", "new", "count"});
    return Value::from_string(replace_string(s, a.get_string(0, ""), a.get_string(1, ""), a.get_int(2, -1)));
  }
  if (name == "find" || name == "rfind" || name == "index" || name == "count") {
    BoundArgs a(what, args, {"sub", "start", "end"});
    if (a.has(1) || a.has(2)) throw TemplateError("unsupported: start/end arguments of str." + name + "()");
    std::string sub = a.get_string(0, "");
    if (name == "count") {
      if (sub.empty()) return Value::from_int(static_cast<std::int64_t>(count_code_points(s)) + 1);
      std::int64_t n = 0;
      for (std::size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
      return Value::from_int(n);
    }
    std::size_t p = name == "rfind" ? s.rfind(sub) : s.find(sub);
    if (p == std::string::npos) {
      if (name == "index") throw TemplateError("substring not found");
      return Value::from_int(-1);
    }
    return Value::from_int(static_cast<std::int64_t>(code_points_before(s, p)));
  }
  if (name == "join") {
    BoundArgs a(what, args, {"iterable"});
    std::string out;
    bool first = true;
    for (const auto& item : iterate(a.get(0))) {
      if (!item.is_string()) throw TemplateError("sequence item: expected str instance, " + type_name(item) + " found");
      if (!first) out += s;
      first = false;
      out += item.str();
      if (out.size() > kMaxStringBytes) throw TemplateError("string too long");
    }
    return Value::from_string(std::move(out));
  }
  if (name == "removeprefix" || name == "removesuffix") {
    BoundArgs a(what, args, {"affix"});
    std::string x = a.get_string(0, "");
    if (name == "removeprefix" && s.compare(0, x.size(), x) == 0) return Value::from_string(s.substr(x.size()));
    if (name == "removesuffix" && !x.empty() && s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0) {
      return Value::from_string(s.substr(0, s.size() - x.size()));
    }
    return Value::from_string(s);
  }
  if (name == "partition" || name == "rpartition") {
    BoundArgs a(what, args, {"sep"});
    std::string sep = a.get_string(0, "");
    if (sep.empty()) throw TemplateError("empty separator");
    std::size_t p = name == "partition" ? s.find(sep) : s.rfind(sep);
    std::vector<Value> parts;
    if (p == std::string::npos) {
      Value empty = Value::from_string("");
      parts = name == "partition" ? std::vector<Value>{Value::from_string(s), empty, empty}
                                  : std::vector<Value>{empty, empty, Value::from_string(s)};
    } else {
      parts = {Value::from_string(s.substr(0, p)), Value::from_string(sep), Value::from_string(s.substr(p + sep.size()))};
    }
    return Value::from_list(std::move(parts), SeqKind::Tuple);
  }
  if (name == "format") return Value::from_string(str_format(s, args));
  throw TemplateError("unsupported string method '" + name + "'");
}

Value dict_method(const Value& self, const std::string& name, CallArgs& args) {
  const DictData& d = *self.dict;
  const std::string what = "dict." + name + "()";
  if (name == "get") {
    BoundArgs a(what, args, {"key", "default"});
    const Value* v = d.find(a.get(0));
    return v != nullptr ? *v : a.get_or(1, Value::none());
  }
  BoundArgs a(what, args, {});
  if (name == "copy") return self;
  std::vector<Value> out;
  out.reserve(d.entries.size());
  for (const auto& [key, value] : d.entries) {
    if (name == "keys") {
      out.push_back(key);
    } else if (name == "values") {
      out.push_back(value);
    } else {
      out.push_back(Value::from_list({key, value}, SeqKind::Tuple));
    }
  }
  SeqKind kind = name == "keys" ? SeqKind::DictKeys : name == "values" ? SeqKind::DictValues : SeqKind::DictItems;
  return Value::from_list(std::move(out), kind);
}

Value list_method(const Value& self, const std::string& name, CallArgs& args) {
  const std::string what = "list." + name + "()";
  if (name == "copy") {
    BoundArgs a(what, args, {});
    return Value::from_list(self.list->items);
  }
  BoundArgs a(what, args, {"value"});
  const auto& items = self.list->items;
  if (name == "count") {
    return Value::from_int(std::count_if(items.begin(), items.end(), [&](const Value& x) { return equals(x, a.get(0)); }));
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (equals(items[i], a.get(0))) return Value::from_int(static_cast<std::int64_t>(i));
  }
  throw TemplateError(repr(a.get(0)) + " is not in list");
}

class BoundMethod : public Callable {
 public:
  BoundMethod(Value self, std::string name) : self_(std::move(self)), name_(std::move(name)) {}

  Value call(Interpreter& interp, CallArgs& args) const override {
    interp.charge(cost_of(self_));
    switch (self_.kind) {
      case Kind::String: return string_method(self_.str(), name_, args);
      case Kind::Dict: return dict_method(self_, name_, args);
      default: return list_method(self_, name_, args);
    }
  }
  std::string describe() const override { return "built-in method " + name_ + " of " + type_name(self_) + " object"; }

 private:
  Value self_;
  std::string name_;
};

Value bind(const Value& obj, const std::string& name) {
  return Value::from_callable(std::make_shared<BoundMethod>(obj, name));
}

Value unsafe(const Value& obj, const std::string& name) {
  return Value::undefined("access to attribute '" + name + "' of '" + type_name(obj) + "' object is unsafe");
}

}  // namespace

Value find_method(const Value& obj, const std::string& name) {
  switch (obj.kind) {
    case Kind::String:
      if (is_one_of(name, {"upper", "lower", "title", "capitalize", "isalpha", "isdigit", "isalnum", "isspace", "islower",
                           "isupper", "splitlines", "strip", "lstrip", "rstrip", "split", "rsplit", "startswith",
                           "endswith", "replace", "find", "rfind", "index", "count", "join", "removeprefix",
                           "removesuffix", "partition", "rpartition", "format"})) {
        return bind(obj, name);
      }
      if (is_one_of(name, {"casefold", "center", "encode", "expandtabs", "format_map", "isascii", "isdecimal",
                           "isidentifier", "isnumeric", "isprintable", "istitle", "ljust", "maketrans", "rindex",
                           "rjust", "swapcase", "translate", "zfill"})) {
        throw TemplateError("unsupported string method '" + name + "'");
      }
      return {};
    case Kind::Dict:
      if (is_one_of(name, {"get", "items", "keys", "values", "copy"})) return bind(obj, name);
      if (is_one_of(name, {"clear", "pop", "popitem", "setdefault", "update"})) return unsafe(obj, name);
      if (name == "fromkeys") throw TemplateError("unsupported dict method 'fromkeys'");
      return {};
    case Kind::List: {
      SeqKind seq = obj.list->seq;
      if (seq == SeqKind::List || seq == SeqKind::Tuple) {
        if (is_one_of(name, {"count", "index"}) || (seq == SeqKind::List && name == "copy")) return bind(obj, name);
        if (seq == SeqKind::List &&
            is_one_of(name, {"append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"})) {
          return unsafe(obj, name);
        }
      }
      return {};
    }
    default: return {};
  }
}

std::vector<Value> split_string(const std::string& s, const Value& sep_v, std::int64_t maxsplit, bool from_right) {
  std::vector<std::string> parts;
  if (sep_v.is_none()) {
    // Runs of whitespace; leading/trailing whitespace ignored.
    std::vector<std::pair<std::size_t, std::size_t>> words;  // byte ranges
    for (std::size_t i = 0; i < s.size();) {
      std::size_t start = i;
      char32_t c = next_code_point(s, i);
      if (is_space(c)) continue;
      std::size_t end = i;
      while (end < s.size()) {
        std::size_t probe = end;
        if (is_space(next_code_point(s, probe))) break;
        end = probe;
      }
      words.emplace_back(start, end);
      i = end;
    }
    std::size_t n = words.size();
    if (maxsplit < 0 || static_cast<std::size_t>(maxsplit) + 1 >= n) {
      for (auto [b, e] : words) parts.push_back(s.substr(b, e - b));
    } else if (!from_right) {
      auto k = static_cast<std::size_t>(maxsplit);
      for (std::size_t w = 0; w < k; ++w) parts.push_back(s.substr(words[w].first, words[w].second - words[w].first));
      parts.push_back(std::string(strip(std::string_view(s).substr(words[k].first), nullptr, false, false)));
    } else {
      auto k = static_cast<std::size_t>(maxsplit);
      std::size_t first_kept = n - k;
      parts.push_back(s.substr(0, words[first_kept - 1].second));
      for (std::size_t w = first_kept; w < n; ++w) parts.push_back(s.substr(words[w].first, words[w].second - words[w].first));
    }
  } else {
    if (!sep_v.is_string()) throw TemplateError("must be str or None, not " + type_name(sep_v));
    const std::string& sep = sep_v.str();
    if (sep.empty()) throw TemplateError("empty separator");
    std::vector<std::size_t> hits;
    for (std::size_t p = s.find(sep); p != std::string::npos; p = s.find(sep, p + sep.size())) hits.push_back(p);
    if (maxsplit >= 0 && hits.size() > static_cast<std::size_t>(maxsplit)) {
      if (from_right) {
        // rsplit matches from the right, which can differ for overlapping separators.
        hits.clear();
        std::size_t end = s.size();
        while (hits.size() < static_cast<std::size_t>(maxsplit) && end >= sep.size()) {
          std::size_t p = s.rfind(sep, end - sep.size());
          if (p == std::string::npos) break;
          hits.insert(hits.begin(), p);
          end = p;
        }
      } else {
        hits.resize(static_cast<std::size_t>(maxsplit));
      }
    }
    std::size_t prev = 0;
    for (auto p : hits) {
      parts.push_back(s.substr(prev, p - prev));
      prev = p + sep.size();
    }
    parts.push_back(s.substr(prev));
  }
  std::vector<Value> out;
  out.reserve(parts.size());
  for (auto& p : parts) out.push_back(Value::from_string(std::move(p)));
  return out;
}

std::string replace_string(const std::string& s, const std::string& old, const std::string& replacement,
                           std::int64_t count) {
  std::string out;
  std::int64_t done = 0;
  auto limit_ok = [&]() { return count < 0 || done < count; };
  if (old.empty()) {
    for (std::size_t i = 0; i < s.size();) {
      if (limit_ok()) {
        out += replacement;
        ++done;
      }
      std::size_t start = i;
      next_code_point(s, i);
      out.append(s, start, i - start);
      if (out.size() > kMaxStringBytes) throw TemplateError("string too long");
    }
    if (limit_ok()) out += replacement;
    return out;
  }
  std::size_t prev = 0;
  for (std::size_t p = s.find(old); p != std::string::npos && limit_ok(); p = s.find(old, prev)) {
    out.append(s, prev, p - prev);
    out += replacement;
    prev = p + old.size();
    ++done;
    if (out.size() > kMaxStringBytes) throw TemplateError("string too long");
  }
  out.append(s, prev, std::string::npos);
  return out;
}

std::vector<std::string> split_lines(const std::string& s, bool keepends) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t at = i;
    char32_t c = next_code_point(s, i);
    bool is_break = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0x85 ||
                    c == 0x2028 || c == 0x2029;
    if (!is_break) continue;
    if (c == '\r' && i < s.size() && s[i] == '\n') ++i;
    lines.push_back(s.substr(start, (keepends ? i : at) - start));
    start = i;
  }
  if (start < s.size()) lines.push_back(s.substr(start));
  return lines;
}

std::string capitalize_string(const std::string& s) {
  std::string out;
  bool first = true;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    if (first) {
      append_upper(out, c);
      first = false;
    } else {
      append_lower(out, c);
    }
  }
  return out;
}

std::string title_string(const std::string& s) {
  std::string out;
  bool prev_cased = false;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    if (prev_cased) {
      append_lower(out, c);
    } else {
      append_upper(out, c);
    }
    prev_cased = is_upper(c) || is_lower(c);
  }
  return out;
}

}  // namespace slm::jinja
