// The interpreter's value type: Python objects as Jinja templates see them
// (Undefined, None, bool, int, float, str, list/tuple, dict, namespace, callables).
// Lists and dicts are shared and never mutated after construction (the sandbox
// forbids mutation); only namespaces are mutable, with reference semantics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace slm::jinja {

// A template error without position; the interpreter adds the line.
class TemplateError : public std::runtime_error {
 public:
  explicit TemplateError(const std::string& message) : std::runtime_error(message) {}
};

// Bounds on single values, so a hostile template cannot exhaust memory.
inline constexpr std::size_t kMaxStringBytes = std::size_t{32} << 20;
inline constexpr std::size_t kMaxListItems = std::size_t{1} << 21;
inline constexpr int kMaxNesting = 128;  // lists/dicts inside each other

enum class Kind : std::uint8_t { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Callable };

// How a sequence prints and compares: Python has several sequence types.
enum class SeqKind : std::uint8_t { List, Tuple, Range, DictItems, DictKeys, DictValues, Generator };

struct Value;
struct ListData;
struct DictData;
class Interpreter;

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

class Callable {
 public:
  virtual ~Callable() = default;
  virtual Value call(Interpreter& interp, CallArgs& args) const = 0;
  // Python-ish description used in error messages, e.g. "macro 'f'".
  virtual std::string describe() const = 0;
};

struct Value {
  Kind kind = Kind::Undefined;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0.0;
  // String: the text. Undefined: the message raised when the value is used.
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const ListData> list;
  std::shared_ptr<DictData> dict;  // Dict (never mutated once built) or Namespace
  std::shared_ptr<const Callable> callable;

  static Value undefined(std::string message);
  static Value none();
  static Value from_bool(bool b);
  static Value from_int(std::int64_t i);
  static Value from_float(double d);
  static Value from_string(std::string s);
  static Value from_list(std::vector<Value> items, SeqKind seq = SeqKind::List);
  static Value from_dict(std::shared_ptr<DictData> d);
  static Value make_namespace(std::shared_ptr<DictData> d);
  static Value from_callable(std::shared_ptr<const Callable> c);

  bool is_undefined() const { return kind == Kind::Undefined; }
  bool is_none() const { return kind == Kind::None; }
  bool is_string() const { return kind == Kind::String; }
  bool is_number() const { return kind == Kind::Int || kind == Kind::Float || kind == Kind::Bool; }
  bool is_list() const { return kind == Kind::List; }
  bool is_dict() const { return kind == Kind::Dict; }
  const std::string& str() const { return *text; }
  const std::vector<Value>& items() const;
  int nesting() const;
  // True for a namespace or a container holding one (namespaces must not hold
  // namespaces, so reference cycles cannot form).
  bool holds_namespace() const;
};

struct ListData {
  std::vector<Value> items;
  SeqKind seq = SeqKind::List;
  int depth = 1;
  bool has_namespace = false;  // some element is or holds a namespace
  std::int64_t range_start = 0, range_stop = 0, range_step = 1;  // SeqKind::Range only
};

// An insertion-ordered dict keyed like Python (1, 1.0 and True are the same key).
struct DictData {
  std::vector<std::pair<Value, Value>> entries;
  std::unordered_map<std::string, std::size_t> index;
  int depth = 1;
  bool has_namespace = false;  // some value is or holds a namespace

  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
  void set(const Value& key, Value value);
};

// Python semantics.
std::string type_name(const Value& v);
bool truthy(const Value& v);
std::string to_str(const Value& v);      // str(v); Undefined prints as ""
void append_repr(std::string& out, const Value& v);
std::string repr(const Value& v);
std::string float_repr(double d);
bool equals(const Value& a, const Value& b);
int compare(const Value& a, const Value& b);  // <0, 0, >0; throws for unorderable types
// Normalized dict key; throws for unhashable values.
std::string key_of(const Value& v);
// The elements of an iterable (string: its characters, dict: its keys, Undefined: none).
std::vector<Value> iterate(const Value& v);
std::int64_t length_of(const Value& v);
// Throws the Undefined's own message ("'x' is undefined").
[[noreturn]] void fail_undefined(const Value& v);

}  // namespace slm::jinja

namespace slm::jinja {
// Rough cost of touching a value once (bytes/16 for strings, items for containers),
// charged against the step budget by operations that scan or copy it.
std::uint64_t cost_of(const Value& v);
}  // namespace slm::jinja
