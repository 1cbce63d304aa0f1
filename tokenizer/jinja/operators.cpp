#include "tokenizer/jinja/operators.h"

#include <cmath>
#include <limits>

#include "tokenizer/jinja/methods.h"
#include "tokenizer/jinja/unicode.h"

namespace slm::jinja {

namespace {

[[noreturn]] void overflow() { throw TemplateError("integer overflow (Python would use a big integer)"); }

[[noreturn]] void unsupported_operands(const std::string& op, const Value& a, const Value& b) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  throw TemplateError("unsupported operand type(s) for " + op + ": '" + type_name(a) + "' and '" + type_name(b) + "'");
}

double as_double(const Value& v) { return v.kind == Kind::Float ? v.real : static_cast<double>(v.integer); }
bool both_ints(const Value& a, const Value& b) { return a.kind != Kind::Float && b.kind != Kind::Float; }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  if (b == 0) throw TemplateError("integer division or modulo by zero");
  if (a == std::numeric_limits<std::int64_t>::min() && b == -1) overflow();
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  if (b == 0) throw TemplateError("integer division or modulo by zero");
  if (b == -1) return 0;
  std::int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// Python's float divmod.
void float_divmod(double vx, double wx, double& floordiv, double& mod) {
  if (wx == 0.0) throw TemplateError("float division by zero");
  mod = std::fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod != 0.0) {
    if ((wx < 0) != (mod < 0)) {
      mod += wx;
      div -= 1.0;
    }
  } else {
    mod = std::copysign(0.0, wx);
  }
  if (div != 0.0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, vx / wx);
  }
}

Value repeat(const Value& seq, std::int64_t times) {
  if (times <= 0) return seq.is_string() ? Value::from_string("") : Value::from_list({}, seq.list->seq);
  if (seq.is_string()) {
    if (static_cast<double>(seq.str().size()) * static_cast<double>(times) > static_cast<double>(kMaxStringBytes)) {
      throw TemplateError("string repetition too large");
    }
    std::string out;
    out.reserve(seq.str().size() * static_cast<std::size_t>(times));
    for (std::int64_t i = 0; i < times; ++i) out += seq.str();
    return Value::from_string(std::move(out));
  }
  const auto& items = seq.list->items;
  if (static_cast<double>(items.size()) * static_cast<double>(times) > static_cast<double>(kMaxListItems)) {
    throw TemplateError("list repetition too large");
  }
  std::vector<Value> out;
  for (std::int64_t i = 0; i < times; ++i) out.insert(out.end(), items.begin(), items.end());
  return Value::from_list(std::move(out), seq.list->seq);
}

bool is_plain_sequence(const Value& v) {
  return v.is_list() && (v.list->seq == SeqKind::List || v.list->seq == SeqKind::Tuple);
}

Value int_pow(std::int64_t base, std::int64_t exp) {
  std::int64_t result = 1;
  while (exp > 0) {
    if (exp & 1) result = checked_mul(result, base);
    exp >>= 1;
    if (exp > 0) base = checked_mul(base, base);
  }
  return Value::from_int(result);
}

// Python's `str % args` with the conversions %s %r %d %i %%.
Value percent_format(const std::string& fmt, const Value& args) {
  std::vector<Value> values;
  // Python treats any non-tuple with __getitem__ as a mapping, which may go unused.
  bool mapping = args.is_dict() || args.is_undefined() || (args.is_list() && args.list->seq == SeqKind::List);
  if (args.is_list() && args.list->seq == SeqKind::Tuple) {
    values = args.list->items;
  } else {
    values.push_back(args);
  }
  std::size_t next = 0;
  std::string out;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (i + 1 >= fmt.size()) throw TemplateError("incomplete format");
    char c = fmt[++i];
    if (c == '%') {
      out += '%';
      continue;
    }
    if (c == '(') throw TemplateError("unsupported: '%(name)' in string % formatting");
    if (c != 's' && c != 'r' && c != 'd' && c != 'i') {
      throw TemplateError(std::string("unsupported: '%") + c + "' in string % formatting (only %s %r %d %i)");
    }
    if (next >= values.size()) throw TemplateError("not enough arguments for format string");
    const Value& v = values[next++];
    if (c == 's') {
      out += to_str(v);
    } else if (c == 'r') {
      out += repr(v);
    } else {
      if (!v.is_number()) throw TemplateError("%d format: a real number is required, not " + type_name(v));
      out += std::to_string(v.kind == Kind::Float ? static_cast<std::int64_t>(v.real) : v.integer);
    }
  }
  if (next < values.size() && !(mapping && next == 0)) throw TemplateError("not all arguments converted during string formatting");
  return Value::from_string(std::move(out));
}

}  // namespace

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) overflow();
  return r;
}

std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) overflow();
  return r;
}

Value binary_op(const std::string& op, const Value& a, const Value& b) {
  bool numbers = a.is_number() && b.is_number();
  if (op == "+") {
    if (numbers) {
      if (both_ints(a, b)) return Value::from_int(checked_add(a.integer, b.integer));
      return Value::from_float(as_double(a) + as_double(b));
    }
    if (a.is_string() && b.is_string()) return Value::from_string(a.str() + b.str());
    if (is_plain_sequence(a) && is_plain_sequence(b) && a.list->seq == b.list->seq) {
      std::vector<Value> items = a.list->items;
      items.insert(items.end(), b.list->items.begin(), b.list->items.end());
      return Value::from_list(std::move(items), a.list->seq);
    }
    if (a.is_string() && !b.is_undefined()) {
      throw TemplateError("can only concatenate str (not \"" + type_name(b) + "\") to str");
    }
    unsupported_operands(op, a, b);
  }
  if (op == "-") {
    if (!numbers) unsupported_operands(op, a, b);
    if (both_ints(a, b)) {
      std::int64_t r;
      if (__builtin_sub_overflow(a.integer, b.integer, &r)) overflow();
      return Value::from_int(r);
    }
    return Value::from_float(as_double(a) - as_double(b));
  }
  if (op == "*") {
    if (numbers) {
      if (both_ints(a, b)) return Value::from_int(checked_mul(a.integer, b.integer));
      return Value::from_float(as_double(a) * as_double(b));
    }
    if ((a.is_string() || is_plain_sequence(a)) && (b.kind == Kind::Int || b.kind == Kind::Bool)) return repeat(a, b.integer);
    if ((b.is_string() || is_plain_sequence(b)) && (a.kind == Kind::Int || a.kind == Kind::Bool)) return repeat(b, a.integer);
    unsupported_operands(op, a, b);
  }
  if (op == "/") {
    if (!numbers) unsupported_operands(op, a, b);
    if (as_double(b) == 0.0) throw TemplateError("division by zero");
    return Value::from_float(as_double(a) / as_double(b));
  }
  if (op == "//" || op == "%") {
    if (op == "%" && a.is_string()) return percent_format(a.str(), b);
    if (!numbers) unsupported_operands(op, a, b);
    if (both_ints(a, b)) {
      return Value::from_int(op == "//" ? floor_div(a.integer, b.integer) : floor_mod(a.integer, b.integer));
    }
    double div = 0, mod = 0;
    float_divmod(as_double(a), as_double(b), div, mod);
    return Value::from_float(op == "//" ? div : mod);
  }
  if (op == "**") {
    if (!numbers) unsupported_operands(op, a, b);
    if (both_ints(a, b)) {
      if (b.integer >= 0) return int_pow(a.integer, b.integer);
      if (a.integer == 0) throw TemplateError("0.0 cannot be raised to a negative power");
      return Value::from_float(std::pow(static_cast<double>(a.integer), static_cast<double>(b.integer)));
    }
    double x = as_double(a), y = as_double(b);
    if (x == 0.0 && y < 0) throw TemplateError("0.0 cannot be raised to a negative power");
    if (x < 0 && std::trunc(y) != y) throw TemplateError("unsupported: complex result of '**'");
    double r = std::pow(x, y);
    if (std::isinf(r) && std::isfinite(x) && std::isfinite(y)) throw TemplateError("numerical result out of range");
    return Value::from_float(r);
  }
  throw TemplateError("unsupported operator '" + op + "'");
}

Value unary_op(const std::string& op, const Value& v) {
  if (!v.is_number()) {
    if (v.is_undefined()) fail_undefined(v);
    throw TemplateError("bad operand type for unary " + op + ": '" + type_name(v) + "'");
  }
  if (v.kind == Kind::Float) return Value::from_float(op == "-" ? -v.real : v.real);
  if (op == "-") {
    if (v.integer == std::numeric_limits<std::int64_t>::min()) overflow();
    return Value::from_int(-v.integer);
  }
  return Value::from_int(v.integer);
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind) {
    case Kind::Undefined: return false;
    case Kind::String:
      if (!item.is_string()) {
        throw TemplateError("'in <string>' requires string as left operand, not " + type_name(item));
      }
      return container.str().find(item.str()) != std::string::npos;
    case Kind::List:
      for (const auto& x : container.list->items) {
        if (equals(x, item)) return true;
      }
      return false;
    case Kind::Dict: return container.dict->find(item) != nullptr;
    default: throw TemplateError("argument of type '" + type_name(container) + "' is not iterable");
  }
}

bool compare_op(const std::string& op, const Value& a, const Value& b) {
  if (op == "==") return equals(a, b);
  if (op == "!=") return !equals(a, b);
  if (op == "in") return contains(b, a);
  if (op == "not in") return !contains(b, a);
  int c = compare(a, b);
  if (a.kind == Kind::Float || b.kind == Kind::Float) {
    double x = as_double(a), y = as_double(b);
    if (std::isnan(x) || std::isnan(y)) return false;
  }
  if (op == "<") return c < 0;
  if (op == ">") return c > 0;
  if (op == "<=") return c <= 0;
  if (op == ">=") return c >= 0;
  throw TemplateError("unsupported comparison '" + op + "'");
}

Value get_attr(const Value& obj, const std::string& name) {
  if (obj.is_undefined()) fail_undefined(obj);
  if (obj.kind == Kind::Namespace) {
    const Value* v = obj.dict->find(name);
    return v != nullptr ? *v : Value::undefined("'Namespace' object has no attribute '" + name + "'");
  }
  Value method = find_method(obj, name);
  if (method.kind != Kind::Undefined || method.text) return method;
  if (obj.is_dict()) {
    const Value* v = obj.dict->find(name);
    if (v != nullptr) return *v;
  }
  return Value::undefined(std::string("'") + type_name(obj) + " object' has no attribute '" + name + "'");
}

Value get_item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) fail_undefined(obj);
  if (obj.is_dict()) {
    bool hashable = key.kind != Kind::List || key.list->seq == SeqKind::Tuple;
    if (hashable && key.kind != Kind::Dict && key.kind != Kind::Namespace && key.kind != Kind::Callable &&
        key.kind != Kind::Undefined) {
      const Value* v = obj.dict->find(key);
      if (v != nullptr) return *v;
    }
  } else if ((obj.is_list() && obj.list->seq != SeqKind::Generator && obj.list->seq != SeqKind::DictItems &&
              obj.list->seq != SeqKind::DictKeys && obj.list->seq != SeqKind::DictValues) ||
             obj.is_string()) {
    if (key.kind == Kind::Int || key.kind == Kind::Bool) {
      std::int64_t n = length_of(obj);
      std::int64_t i = key.integer < 0 ? key.integer + n : key.integer;
      if (i >= 0 && i < n) {
        if (obj.is_list()) return obj.list->items[static_cast<std::size_t>(i)];
        auto offsets = code_point_offsets(obj.str());
        auto at = static_cast<std::size_t>(i);
        return Value::from_string(obj.str().substr(offsets[at], offsets[at + 1] - offsets[at]));
      }
      return Value::undefined(std::string("'") + type_name(obj) + " object' has no element " + std::to_string(key.integer));
    }
  }
  if (key.is_string()) {
    if (obj.kind == Kind::Namespace) return get_attr(obj, key.str());
    Value method = find_method(obj, key.str());
    if (method.kind != Kind::Undefined || method.text) return method;
    return Value::undefined(std::string("'") + type_name(obj) + " object' has no attribute '" + key.str() + "'");
  }
  return Value::undefined(std::string("'") + type_name(obj) + " object' has no element " + repr(key));
}

namespace {

std::int64_t slice_index(const Value& v, const char* what) {
  if (v.kind == Kind::Int || v.kind == Kind::Bool) return v.integer;
  throw TemplateError(std::string("slice ") + what + " must be an integer or None, not " + type_name(v));
}

}  // namespace

Value slice(const Value& obj, const Value& start_v, const Value& stop_v, const Value& step_v) {
  if (obj.is_undefined()) fail_undefined(obj);
  bool sliceable = obj.is_string() || (obj.is_list() && (obj.list->seq == SeqKind::List || obj.list->seq == SeqKind::Tuple ||
                                                          obj.list->seq == SeqKind::Range));
  // jinja2 slices with plain Python, so unsliceable objects raise.
  if (!sliceable) {
    if (obj.is_dict()) throw TemplateError("unhashable type: 'slice'");
    throw TemplateError("'" + type_name(obj) + "' object is not subscriptable");
  }
  auto absent = [](const Value& v) { return v.is_undefined() || v.is_none(); };
  std::int64_t step = absent(step_v) ? 1 : slice_index(step_v, "step");
  if (step == 0) throw TemplateError("slice step cannot be zero");
  std::int64_t n = length_of(obj);
  auto clamp = [&](const Value& v, bool is_start) {
    if (absent(v)) {
      if (step > 0) return is_start ? std::int64_t{0} : n;
      return is_start ? n - 1 : std::int64_t{-1};
    }
    std::int64_t i = slice_index(v, is_start ? "start" : "stop");
    if (i < 0) {
      i += n;
      if (i < 0) i = step < 0 ? -1 : 0;
    } else if (i >= n) {
      i = step < 0 ? n - 1 : n;
    }
    return i;
  };
  std::int64_t start = clamp(start_v, true);
  std::int64_t stop = clamp(stop_v, false);
  std::vector<std::size_t> picks;
  if (step > 0) {
    for (std::int64_t i = start; i < stop; i += step) picks.push_back(static_cast<std::size_t>(i));
  } else {
    for (std::int64_t i = start; i > stop; i += step) picks.push_back(static_cast<std::size_t>(i));
  }
  if (obj.is_string()) {
    auto offsets = code_point_offsets(obj.str());
    std::string out;
    for (auto i : picks) out.append(obj.str(), offsets[i], offsets[i + 1] - offsets[i]);
    return Value::from_string(std::move(out));
  }
  std::vector<Value> out;
  out.reserve(picks.size());
  for (auto i : picks) out.push_back(obj.list->items[i]);
  return Value::from_list(std::move(out), obj.list->seq == SeqKind::Tuple ? SeqKind::Tuple : SeqKind::List);
}

}  // namespace slm::jinja
