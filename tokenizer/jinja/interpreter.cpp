#include "tokenizer/jinja/interpreter.h"

#include "tokenizer/jinja/filters.h"
#include "tokenizer/jinja/operators.h"

namespace slm::jinja {

namespace {

// Steps charged per loop iteration (a new scope), and again when it builds `loop`.
constexpr std::uint64_t kIterationCost = 8;

// A {% macro %}: renders its body in a frame whose parent is where it was defined.
class Macro : public Callable {
 public:
  Macro(const Stmt* def, std::weak_ptr<Frame> closure) : def_(def), closure_(std::move(closure)) {}

  Value call(Interpreter& in, CallArgs& args) const override {
    const auto& params = def_->params;
    if (args.positional.size() > params.size()) {
      throw TemplateError("macro '" + def_->name + "' takes not more than " + std::to_string(params.size()) +
                          " argument(s)");
    }
    auto frame = std::make_shared<Frame>();
    frame->parent = closure_.lock();
    if (!frame->parent) frame->parent = in.root_frame();
    std::vector<bool> given(params.size(), false);
    for (std::size_t i = 0; i < args.positional.size(); ++i) {
      frame->vars[params[i]] = args.positional[i];
      given[i] = true;
    }
    for (auto& [key, value] : args.keyword) {
      std::size_t i = 0;
      while (i < params.size() && params[i] != key) ++i;
      if (i == params.size()) {
        throw TemplateError("macro '" + def_->name + "' takes no keyword argument '" + key + "'");
      }
      if (given[i]) throw TemplateError("macro '" + def_->name + "' got multiple values for argument '" + key + "'");
      frame->vars[params[i]] = value;
      given[i] = true;
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (given[i]) continue;
      if (def_->defaults[i]) {
        frame->vars[params[i]] = in.eval_in_frame(*def_->defaults[i], frame);
      } else {
        frame->vars[params[i]] = Value::undefined("parameter '" + params[i] + "' was not provided");
      }
    }
    return Value::from_string(in.render_in_frame(def_->body, frame));
  }

  std::string describe() const override { return "macro '" + def_->name + "'"; }

 private:
  const Stmt* def_;
  std::weak_ptr<Frame> closure_;
};

// loop.cycle(a, b, ...)
class LoopCycle : public Callable {
 public:
  explicit LoopCycle(std::size_t index0) : index0_(index0) {}
  Value call(Interpreter&, CallArgs& args) const override {
    if (args.positional.empty()) throw TemplateError("no items for cycling given");
    return args.positional[index0_ % args.positional.size()];
  }
  std::string describe() const override { return "method cycle of loop"; }

 private:
  std::size_t index0_;
};

Value make_loop(std::size_t i, const std::vector<Value>& items) {
  auto d = std::make_shared<DictData>();
  auto n = static_cast<std::int64_t>(items.size());
  auto idx = static_cast<std::int64_t>(i);
  auto put = [&](const char* key, Value v) { d->set(Value::from_string(key), std::move(v)); };
  put("index", Value::from_int(idx + 1));
  put("index0", Value::from_int(idx));
  put("revindex", Value::from_int(n - idx));
  put("revindex0", Value::from_int(n - idx - 1));
  put("first", Value::from_bool(idx == 0));
  put("last", Value::from_bool(idx == n - 1));
  put("length", Value::from_int(n));
  put("depth", Value::from_int(1));
  put("depth0", Value::from_int(0));
  if (i > 0) put("previtem", items[i - 1]);
  if (i + 1 < items.size()) put("nextitem", items[i + 1]);
  put("cycle", Value::from_callable(std::make_shared<LoopCycle>(i)));
  return Value::from_dict(std::move(d));
}

void bind_targets(Frame& frame, const std::vector<std::string>& targets, const Value& value) {
  if (targets.size() == 1) {
    frame.vars[targets[0]] = value;
    return;
  }
  std::vector<Value> parts = iterate(value);
  if (parts.size() != targets.size()) {
    if (parts.size() > targets.size()) {
      throw TemplateError("too many values to unpack (expected " + std::to_string(targets.size()) + ")");
    }
    throw TemplateError("not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " +
                        std::to_string(parts.size()) + ")");
  }
  for (std::size_t i = 0; i < parts.size(); ++i) frame.vars[targets[i]] = parts[i];
}

}  // namespace

Interpreter::DepthGuard::DepthGuard(Interpreter& in) : in_(in) {
  if (++in_.depth_ > in_.limits_.max_depth) {
    --in_.depth_;
    throw TemplateError("template nesting too deep (limit " + std::to_string(in_.limits_.max_depth) +
                        " levels of evaluation, e.g. macro recursion)");
  }
}

Interpreter::Interpreter(const ChatTemplateLimits& limits, std::shared_ptr<Frame> root)
    : limits_(limits), root_(std::move(root)), frame_(root_) {}

std::string Interpreter::render(const Template& tmpl) {
  std::string out;
  out_ = &out;
  try {
    exec_body(tmpl.body);
  } catch (const TemplateError& e) {
    throw TemplateError("line " + std::to_string(line_) + ": " + e.what());
  }
  out_ = nullptr;
  return out;
}

void Interpreter::charge(std::uint64_t steps) {
  steps_ += steps;
  if (steps_ > limits_.max_steps) {
    throw TemplateError("template exceeded its work budget of " + std::to_string(limits_.max_steps) + " steps");
  }
}

void Interpreter::emit(std::string_view text) {
  if (out_->size() + text.size() > limits_.max_output_bytes) {
    throw TemplateError("output larger than " + std::to_string(limits_.max_output_bytes) + " bytes");
  }
  charge(text.size() / 16);
  out_->append(text);
}

std::string Interpreter::capture(const Body& body) {
  std::string buffer;
  std::string* saved = out_;
  out_ = &buffer;
  try {
    exec_body(body);
  } catch (...) {
    out_ = saved;
    throw;
  }
  out_ = saved;
  return buffer;
}

std::string Interpreter::render_in_frame(const Body& body, std::shared_ptr<Frame> frame) {
  auto saved = frame_;
  frame_ = std::move(frame);
  try {
    std::string text = capture(body);
    frame_ = saved;
    return text;
  } catch (...) {
    frame_ = saved;
    throw;
  }
}

Value Interpreter::eval_in_frame(const Expr& e, std::shared_ptr<Frame> frame) {
  auto saved = frame_;
  frame_ = std::move(frame);
  try {
    Value v = eval(e);
    frame_ = saved;
    return v;
  } catch (...) {
    frame_ = saved;
    throw;
  }
}

Interpreter::Flow Interpreter::exec_body(const Body& body) {
  for (const auto& stmt : body) {
    Flow flow = exec(*stmt);
    if (flow != Flow::Normal) return flow;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Stmt& s) {
  DepthGuard guard(*this);
  charge(1);
  line_ = s.line;
  switch (s.kind) {
    case StmtKind::Text: emit(s.text); break;
    case StmtKind::Print: {
      Value v = eval(*s.expr);
      line_ = s.line;
      emit(to_str(v));
      break;
    }
    case StmtKind::If:
      for (const auto& [cond, body] : s.branches) {
        if (truthy(eval(*cond))) return exec_body(body);
      }
      return exec_body(s.else_body);
    case StmtKind::For: return exec_for(s);
    case StmtKind::Set: exec_set(s, eval(*s.expr)); break;
    case StmtKind::SetBlock:
    case StmtKind::FilterBlock: {
      Value value = Value::from_string(capture(s.body));
      if (s.expr) {
        const Value* saved = placeholder_;
        placeholder_ = &value;
        Value filtered = eval(*s.expr);
        placeholder_ = saved;
        value = std::move(filtered);
      }
      if (s.kind == StmtKind::SetBlock) {
        exec_set(s, std::move(value));
      } else {
        emit(to_str(value));
      }
      break;
    }
    case StmtKind::Macro:
      frame_->vars[s.name] = Value::from_callable(std::make_shared<Macro>(&s, std::weak_ptr<Frame>(frame_)));
      break;
    case StmtKind::Break: return Flow::Break;
    case StmtKind::Continue: return Flow::Continue;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec_for(const Stmt& s) {
  Value iterable = eval(*s.expr);
  line_ = s.line;
  if (iterable.kind == Kind::Namespace || iterable.kind == Kind::Callable || iterable.is_none() ||
      iterable.is_number()) {
    throw TemplateError("'" + type_name(iterable) + "' object is not iterable");
  }
  std::vector<Value> items = iterate(iterable);
  charge(items.size());
  auto outer = frame_;
  if (s.cond) {
    std::vector<Value> kept;
    for (auto& item : items) {
      auto probe = std::make_shared<Frame>();
      probe->parent = outer;
      bind_targets(*probe, s.targets, item);
      if (truthy(eval_in_frame(*s.cond, probe))) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) return exec_body(s.else_body);
  for (std::size_t i = 0; i < items.size(); ++i) {
    charge(kIterationCost);
    auto frame = std::make_shared<Frame>();
    frame->parent = outer;
    bind_targets(*frame, s.targets, items[i]);
    if (s.uses_loop) {
      charge(kIterationCost);
      frame->vars["loop"] = make_loop(i, items);
    }
    frame_ = frame;
    Flow flow;
    try {
      flow = exec_body(s.body);
    } catch (...) {
      frame_ = outer;
      throw;
    }
    frame_ = outer;
    if (flow == Flow::Break) break;
  }
  return Flow::Normal;
}

void Interpreter::exec_set(const Stmt& s, Value value) {
  if (s.attr_target) {
    Value ns = lookup(s.targets[0]);
    if (ns.kind != Kind::Namespace) {
      throw TemplateError("cannot assign attribute on non-namespace object '" + s.targets[0] + "'");
    }
    if (value.holds_namespace()) throw TemplateError("unsupported: storing a namespace or a function inside a namespace");
    ns.dict->set(Value::from_string(s.targets[1]), std::move(value));
    return;
  }
  bind_targets(*frame_, s.targets, value);
}

Value Interpreter::lookup(const std::string& name) const {
  for (const Frame* f = frame_.get(); f != nullptr; f = f->parent.get()) {
    auto it = f->vars.find(name);
    if (it != f->vars.end()) return it->second;
  }
  return Value::undefined("'" + name + "' is undefined");
}

Value Interpreter::eval(const Expr& e) {
  DepthGuard guard(*this);
  charge(1);
  line_ = e.line;
  return eval_inner(e);
}

CallArgs Interpreter::eval_args(const Expr& e, std::size_t first_positional) {
  CallArgs args;
  for (std::size_t i = first_positional; i < e.args.size(); ++i) args.positional.push_back(eval(*e.args[i]));
  for (const auto& [key, expr] : e.kwargs) args.keyword.emplace_back(key, eval(*expr));
  return args;
}

Value Interpreter::call(const Value& callee, CallArgs& args) {
  if (callee.kind == Kind::Callable) {
    DepthGuard guard(*this);
    Value result = callee.callable->call(*this, args);
    charge(cost_of(result));
    return result;
  }
  if (callee.is_undefined()) fail_undefined(callee);
  throw TemplateError("'" + type_name(callee) + "' object is not callable");
}

Value Interpreter::eval_call(const Expr& e) {
  Value callee = eval(*e.args[0]);
  CallArgs args = eval_args(e, 1);
  line_ = e.line;
  return call(callee, args);
}

Value Interpreter::eval_filter(const Expr& e) {
  Value value = eval(*e.args[0]);
  CallArgs args = eval_args(e, 1);
  line_ = e.line;
  charge(cost_of(value));
  Value result = apply_filter(*this, e.name, value, args);
  charge(cost_of(result));
  return result;
}

Value Interpreter::eval_test(const Expr& e) {
  Value value = eval(*e.args[0]);
  CallArgs args = eval_args(e, 1);
  line_ = e.line;
  charge(cost_of(value));
  bool result = apply_test(*this, e.name, value, args);
  return Value::from_bool(result != e.negated);
}

Value Interpreter::eval_compare(const Expr& e) {
  Value left = eval(*e.args[0]);
  for (std::size_t i = 0; i < e.ops.size(); ++i) {
    Value right = eval(*e.args[i + 1]);
    line_ = e.line;
    charge(cost_of(left) + cost_of(right));
    if (!compare_op(e.ops[i], left, right)) return Value::from_bool(false);
    left = std::move(right);
  }
  return Value::from_bool(true);
}

Value Interpreter::eval_inner(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Literal: return e.literal;
    case ExprKind::Name: return lookup(e.name);
    case ExprKind::GetAttr: return get_attr(eval(*e.args[0]), e.name);
    case ExprKind::GetItem: {
      Value obj = eval(*e.args[0]);
      Value key = eval(*e.args[1]);
      line_ = e.line;
      charge(cost_of(obj) / 4);
      return get_item(obj, key);
    }
    case ExprKind::Slice: {
      if (e.args.size() != 4) throw TemplateError("unsupported: slices inside a tuple subscript");
      Value obj = eval(*e.args[0]);
      Value parts[3];
      for (int i = 0; i < 3; ++i) {
        if (e.args[static_cast<std::size_t>(i) + 1]) parts[i] = eval(*e.args[static_cast<std::size_t>(i) + 1]);
      }
      line_ = e.line;
      charge(cost_of(obj));
      return slice(obj, parts[0], parts[1], parts[2]);
    }
    case ExprKind::Call: return eval_call(e);
    case ExprKind::Filter: return eval_filter(e);
    case ExprKind::Test: return eval_test(e);
    case ExprKind::Unary: return unary_op(e.name, eval(*e.args[0]));
    case ExprKind::Binary: {
      Value a = eval(*e.args[0]);
      Value b = eval(*e.args[1]);
      line_ = e.line;
      Value r = binary_op(e.name, a, b);
      charge(cost_of(r));
      return r;
    }
    case ExprKind::And: {
      Value left = eval(*e.args[0]);
      return truthy(left) ? eval(*e.args[1]) : left;
    }
    case ExprKind::Or: {
      Value left = eval(*e.args[0]);
      return truthy(left) ? left : eval(*e.args[1]);
    }
    case ExprKind::Not: return Value::from_bool(!truthy(eval(*e.args[0])));
    case ExprKind::Compare: return eval_compare(e);
    case ExprKind::Conditional:
      if (truthy(eval(*e.args[1]))) return eval(*e.args[0]);
      if (e.args[2]) return eval(*e.args[2]);
      return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                              " evaluated to false and no else section was defined.");
    case ExprKind::List:
    case ExprKind::Tuple: {
      std::vector<Value> items;
      items.reserve(e.args.size());
      for (const auto& a : e.args) items.push_back(eval(*a));
      return Value::from_list(std::move(items), e.kind == ExprKind::Tuple ? SeqKind::Tuple : SeqKind::List);
    }
    case ExprKind::Dict: {
      auto d = std::make_shared<DictData>();
      for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
        Value key = eval(*e.args[i]);
        Value value = eval(*e.args[i + 1]);
        d->set(key, std::move(value));
      }
      return Value::from_dict(std::move(d));
    }
    case ExprKind::Concat: {
      std::string out;
      for (const auto& a : e.args) {
        out += to_str(eval(*a));
        if (out.size() > kMaxStringBytes) throw TemplateError("string too long");
      }
      charge(out.size() / 16);
      return Value::from_string(std::move(out));
    }
    case ExprKind::Placeholder:
      if (placeholder_ == nullptr) throw TemplateError("internal: block filter without a block");
      return *placeholder_;
  }
  throw TemplateError("internal: unknown expression");
}

}  // namespace slm::jinja
