// Syntax tree of a parsed template.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/jinja/value.h"

namespace slm::jinja {

enum class ExprKind {
  Literal,      // literal
  Name,         // name
  GetAttr,      // args[0].name
  GetItem,      // args[0][args[1]]
  Slice,        // args[0][args[1]:args[2]:args[3]] (parts may be null)
  Call,         // args[0](args[1..], kwargs)
  Filter,       // args[0] | name(args[1..], kwargs)
  Test,         // args[0] is [not] name(args[1..], kwargs)
  Unary,        // name ("-" or "+") args[0]
  Binary,       // args[0] name args[1]: + - * / // % **
  And,          // args[0] and args[1]
  Or,           // args[0] or args[1]
  Not,          // not args[0]
  Compare,      // args[0] ops[0] args[1] ops[1] args[2] ...
  Conditional,  // args[0] if args[1] else args[2] (args[2] may be null)
  List,         // [args...]
  Tuple,        // (args...)
  Dict,         // {args[0]: args[1], ...}
  Concat,       // args[0] ~ args[1] ~ ...
  Placeholder,  // the text of a {% filter %} / {% set %} block
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  int line = 0;
  int depth = 1;  // height of this subtree
  Value literal;
  std::string name;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;
  bool negated = false;
};

enum class StmtKind { Text, Print, If, For, Set, SetBlock, Macro, Break, Continue, FilterBlock };

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Stmt {
  StmtKind kind;
  int line = 0;
  std::string text;                  // Text
  ExprPtr expr;                      // Print / Set value / For iterable / filter chain of blocks
  std::vector<std::string> targets;  // For and Set names; with attr_target: {namespace, attribute}
  bool attr_target = false;
  ExprPtr cond;                      // For: the `if` filter
  bool uses_loop = false;            // For: the body mentions `loop`
  std::vector<std::pair<ExprPtr, Body>> branches;  // If / elif
  Body body;
  Body else_body;
  std::string name;                  // Macro
  std::vector<std::string> params;
  std::vector<ExprPtr> defaults;     // one per param, null when none
};

struct Template {
  Body body;
  // Names whose first mention at the top level is an assignment. jinja2 binds them
  // to an undefined local from the start, hiding same-named context values from
  // loops and macros that run before the assignment.
  std::vector<std::string> undefined_at_start;
};

}  // namespace slm::jinja
