// Executes a parsed template: scopes (frames), statements, expressions, calls,
// with the limits of ChatTemplateLimits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "slm/chat_template.h"
#include "tokenizer/jinja/ast.h"
#include "tokenizer/jinja/value.h"

namespace slm::jinja {

// raise_exception(message) from the template; passes through with its message intact.
class RaisedByTemplate : public std::runtime_error {
 public:
  explicit RaisedByTemplate(const std::string& message) : std::runtime_error(message) {}
};

// Variables of one scope: the template top level, a loop iteration or a macro call.
struct Frame {
  std::unordered_map<std::string, Value> vars;
  std::shared_ptr<Frame> parent;
};

class Interpreter {
 public:
  Interpreter(const ChatTemplateLimits& limits, std::shared_ptr<Frame> root);

  // Renders the whole template; errors carry "line N: ".
  std::string render(const Template& tmpl);

  Value eval(const Expr& e);
  Value call(const Value& callee, CallArgs& args);
  // Output of `body` run in `frame` (macro calls).
  std::string render_in_frame(const Body& body, std::shared_ptr<Frame> frame);
  // `e` evaluated in `frame` (macro defaults, loop filters).
  Value eval_in_frame(const Expr& e, std::shared_ptr<Frame> frame);
  std::shared_ptr<Frame> current_frame() const { return frame_; }
  std::shared_ptr<Frame> root_frame() const { return root_; }
  // Accounts for work; throws once the step budget is spent.
  void charge(std::uint64_t steps);
  const ChatTemplateLimits& limits() const { return limits_; }

  // RAII nesting counter for evaluation depth (expressions, statements, calls).
  class DepthGuard {
   public:
    explicit DepthGuard(Interpreter& in);
    ~DepthGuard() { --in_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Interpreter& in_;
  };

 private:
  enum class Flow { Normal, Break, Continue };

  Flow exec_body(const Body& body);
  Flow exec(const Stmt& s);
  Flow exec_for(const Stmt& s);
  void exec_set(const Stmt& s, Value value);
  std::string capture(const Body& body);
  void emit(std::string_view text);

  Value lookup(const std::string& name) const;
  Value eval_inner(const Expr& e);
  Value eval_call(const Expr& e);
  Value eval_filter(const Expr& e);
  Value eval_test(const Expr& e);
  Value eval_compare(const Expr& e);
  CallArgs eval_args(const Expr& e, std::size_t first_positional);

  const ChatTemplateLimits& limits_;
  std::shared_ptr<Frame> root_;
  std::shared_ptr<Frame> frame_;
  std::string* out_ = nullptr;
  const Value* placeholder_ = nullptr;
  std::uint64_t steps_ = 0;
  int depth_ = 0;
  int line_ = 0;
};

}  // namespace slm::jinja
