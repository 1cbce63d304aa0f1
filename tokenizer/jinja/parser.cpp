#include "tokenizer/jinja/parser.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <unordered_set>

#include "tokenizer/jinja/filters.h"
#include "tokenizer/jinja/lexer.h"

namespace slm::jinja {

namespace {

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), s) != options.end();
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::shared_ptr<const Template> run() {
    auto tmpl = std::make_shared<Template>();
    tmpl->body = parse_body({}, nullptr);
    if (!unknown_.empty()) fail_at(unknown_.front().first, unknown_.front().second);
    std::unordered_set<std::string> refs;
    scan_top_level(tmpl->body, refs, tmpl->undefined_at_start, true);
    return tmpl;
  }

 private:
  // ---- top-level scope analysis (jinja2's idtracking, for the root frame) ----

  static void collect_loads(const Expr* e, std::unordered_set<std::string>& refs) {
    if (e == nullptr) return;
    if (e->kind == ExprKind::Name) refs.insert(e->name);
    for (const auto& a : e->args) collect_loads(a.get(), refs);
    for (const auto& kw : e->kwargs) collect_loads(kw.second.get(), refs);
  }

  // `direct`: statements of the root frame itself; inside {% if %} branches every
  // mention only counts as a reference (jinja2 resolves partial branch stores).
  static void scan_top_level(const Body& body, std::unordered_set<std::string>& refs,
                             std::vector<std::string>& undefined, bool direct) {
    auto store = [&](const std::string& name) {
      if (direct && refs.count(name) == 0) undefined.push_back(name);
      refs.insert(name);
    };
    for (const auto& s : body) {
      switch (s->kind) {
        case StmtKind::Print: collect_loads(s->expr.get(), refs); break;
        case StmtKind::If:
          for (const auto& [cond, branch] : s->branches) {
            collect_loads(cond.get(), refs);
            scan_top_level(branch, refs, undefined, false);
          }
          scan_top_level(s->else_body, refs, undefined, false);
          break;
        case StmtKind::For: collect_loads(s->expr.get(), refs); break;
        case StmtKind::Set:
          collect_loads(s->expr.get(), refs);
          if (s->attr_target) {
            refs.insert(s->targets[0]);
          } else {
            for (const auto& t : s->targets) store(t);
          }
          break;
        case StmtKind::SetBlock:
          if (s->attr_target) {
            refs.insert(s->targets[0]);
          } else {
            store(s->targets[0]);
          }
          break;
        case StmtKind::Macro: store(s->name); break;
        case StmtKind::FilterBlock: collect_loads(s->expr.get(), refs); break;
        default: break;
      }
    }
  }

  // ---- token helpers ----
  const Token& cur() const { return tokens_[pos_]; }
  const Token& peek(std::size_t ahead = 1) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  void advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool is_op(std::string_view op) const { return cur().type == TokenType::Operator && cur().value == op; }
  bool is_name(std::string_view name) const { return cur().type == TokenType::Name && cur().value == name; }

  [[noreturn]] void fail(const std::string& message) const { fail_at(cur().line, message); }
  [[noreturn]] static void fail_at(int line, const std::string& message) {
    throw TemplateError("line " + std::to_string(line) + ": " + message);
  }

  static std::string describe(const Token& t) {
    switch (t.type) {
      case TokenType::Data: return "template text";
      case TokenType::VariableBegin: return "'{{'";
      case TokenType::VariableEnd: return "'}}'";
      case TokenType::BlockBegin: return "'{%'";
      case TokenType::BlockEnd: return "'%}'";
      case TokenType::Name: return "'" + t.value + "'";
      case TokenType::String: return "string literal";
      case TokenType::Integer:
      case TokenType::Float: return "number " + t.value;
      case TokenType::Operator: return "'" + t.value + "'";
      case TokenType::End: return "end of template";
    }
    return "token";
  }

  void expect_op(std::string_view op) {
    if (!is_op(op)) fail("expected '" + std::string(op) + "', got " + describe(cur()));
    advance();
  }
  std::string expect_name() {
    if (cur().type != TokenType::Name) fail("expected a name, got " + describe(cur()));
    std::string name = cur().value;
    advance();
    return name;
  }
  void expect_block_end() {
    if (cur().type != TokenType::BlockEnd) fail("expected end of tag '%}', got " + describe(cur()));
    advance();
  }

  // ---- nodes ----
  ExprPtr make(ExprKind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }
  ExprPtr finish(ExprPtr e) {
    int depth = 0;
    for (const auto& a : e->args) {
      if (a) depth = std::max(depth, a->depth);
    }
    for (const auto& kw : e->kwargs) depth = std::max(depth, kw.second->depth);
    e->depth = depth + 1;
    if (e->depth > kMaxExprDepth) fail_at(e->line, "expression nested too deeply");
    return e;
  }

  struct DepthGuard {
    DepthGuard(Parser& p, int& counter, int limit, const char* what) : counter_(counter) {
      if (++counter_ > limit) p.fail(std::string(what) + " nested too deeply");
    }
    ~DepthGuard() { --counter_; }
    int& counter_;
  };

  // ---- statements ----

  // Parses until a block tag named in `ends` (left unconsumed, `*found` set) or the end.
  Body parse_body(std::initializer_list<std::string_view> ends, std::string* found) {
    Body body;
    while (true) {
      const Token& t = cur();
      switch (t.type) {
        case TokenType::End:
          if (ends.size() != 0) {
            fail("unexpected end of template: missing {% " + std::string(*(ends.end() - 1)) + " %}");
          }
          return body;
        case TokenType::Data: {
          auto s = std::make_unique<Stmt>();
          s->kind = StmtKind::Text;
          s->line = t.line;
          s->text = t.value;
          body.push_back(std::move(s));
          advance();
          break;
        }
        case TokenType::VariableBegin: {
          auto s = std::make_unique<Stmt>();
          s->kind = StmtKind::Print;
          s->line = t.line;
          advance();
          s->expr = parse_tuple(true, false);
          if (cur().type != TokenType::VariableEnd) fail("expected end of print '}}', got " + describe(cur()));
          advance();
          body.push_back(std::move(s));
          break;
        }
        case TokenType::BlockBegin: {
          const Token& tag = peek();
          if (tag.type == TokenType::Name && is_one_of(tag.value, ends)) {
            advance();
            *found = tag.value;
            advance();
            return body;
          }
          advance();
          body.push_back(parse_statement());
          break;
        }
        default: fail("unexpected " + describe(t));
      }
    }
  }

  StmtPtr parse_statement() {
    if (cur().type != TokenType::Name) fail("expected a tag name, got " + describe(cur()));
    DepthGuard guard(*this, block_depth_, kMaxBlockDepth, "blocks");
    std::string tag = cur().value;
    int line = cur().line;
    advance();
    if (tag == "if") return parse_if(line);
    if (tag == "for") return parse_for(line);
    if (tag == "set") return parse_set(line);
    if (tag == "macro") return parse_macro(line);
    if (tag == "filter") return parse_filter_block(line);
    if (tag == "generation") return parse_generation(line);
    if (tag == "break" || tag == "continue") {
      if (loop_depth_ == 0) fail_at(line, "'" + tag + "' outside loop");
      expect_block_end();
      auto s = std::make_unique<Stmt>();
      s->kind = tag == "break" ? StmtKind::Break : StmtKind::Continue;
      s->line = line;
      return s;
    }
    if (is_one_of(tag, {"endif", "endfor", "endmacro", "endset", "endfilter", "else", "elif", "endgeneration",
                        "endraw"})) {
      fail_at(line, "unexpected '" + tag + "' tag");
    }
    fail_at(line, "unsupported tag '" + tag + "'");
  }

  StmtPtr parse_if(int line) {
    SoftScope soft(*this, true);
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::If;
    s->line = line;
    ExprPtr cond = parse_tuple(false, false);
    expect_block_end();
    while (true) {
      std::string found;
      Body body = parse_body({"elif", "else", "endif"}, &found);
      s->branches.emplace_back(std::move(cond), std::move(body));
      if (found == "elif") {
        cond = parse_tuple(false, false);
        expect_block_end();
        continue;
      }
      if (found == "else") {
        expect_block_end();
        s->else_body = parse_body({"endif"}, &found);
      }
      expect_block_end();
      return s;
    }
  }

  // Assignment target: name, `a, b`, `(a, b)` or (when allowed) `ns.attr`.
  void parse_targets(Stmt& s, bool allow_attr) {
    if (allow_attr && cur().type == TokenType::Name && peek().type == TokenType::Operator && peek().value == "." &&
        peek(2).type == TokenType::Name) {
      s.targets.push_back(cur().value);
      s.targets.push_back(peek(2).value);
      s.attr_target = true;
      advance();
      advance();
      advance();
      return;
    }
    bool paren = is_op("(");
    if (paren) advance();
    while (true) {
      std::string name = expect_name();
      if (is_one_of(name, {"true", "false", "none", "True", "False", "None"})) fail("cannot assign to '" + name + "'");
      s.targets.push_back(std::move(name));
      if (!is_op(",")) break;
      advance();
      if (paren && is_op(")")) break;
      if (!paren && cur().type != TokenType::Name) break;
    }
    if (paren) expect_op(")");
  }

  StmtPtr parse_for(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::For;
    s->line = line;
    parse_targets(*s, false);
    if (!is_name("in")) fail("expected 'in' in for loop, got " + describe(cur()));
    advance();
    s->expr = parse_tuple(false, false, "recursive");
    if (is_name("if")) {
      advance();
      s->cond = parse_expression(true);
    }
    if (is_name("recursive")) fail("unsupported: recursive for loops");
    expect_block_end();
    std::string found;
    SoftScope hard(*this, false);
    ++loop_depth_;
    int refs = loop_refs_;
    s->body = parse_body({"else", "endfor"}, &found);
    s->uses_loop = loop_refs_ != refs;
    --loop_depth_;
    if (found == "else") {
      expect_block_end();
      s->else_body = parse_body({"endfor"}, &found);
    }
    expect_block_end();
    return s;
  }

  StmtPtr parse_set(int line) {
    auto s = std::make_unique<Stmt>();
    s->line = line;
    parse_targets(*s, true);
    if (is_op("=")) {
      advance();
      s->kind = StmtKind::Set;
      s->expr = parse_tuple(true, false);
      expect_block_end();
      return s;
    }
    s->kind = StmtKind::SetBlock;
    if (s->targets.size() != 1 && !s->attr_target) fail("block set needs a single target");
    if (is_op("|")) s->expr = parse_filter_chain(make(ExprKind::Placeholder, line));
    expect_block_end();
    std::string found;
    int saved_loops = loop_depth_;
    loop_depth_ = 0;
    SoftScope hard(*this, false);
    s->body = parse_body({"endset"}, &found);
    loop_depth_ = saved_loops;
    expect_block_end();
    return s;
  }

  StmtPtr parse_macro(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::Macro;
    s->line = line;
    s->name = expect_name();
    expect_op("(");
    while (!is_op(")")) {
      if (!s->params.empty()) expect_op(",");
      if (is_op(")")) break;
      s->params.push_back(expect_name());
      if (is_op("=")) {
        advance();
        s->defaults.push_back(parse_expression(true));
      } else {
        if (std::any_of(s->defaults.begin(), s->defaults.end(), [](const ExprPtr& d) { return d != nullptr; })) {
          fail("non-default argument follows default argument");
        }
        s->defaults.push_back(nullptr);
      }
    }
    advance();
    expect_block_end();
    int saved_loops = loop_depth_;
    loop_depth_ = 0;
    std::string found;
    SoftScope hard(*this, false);
    s->body = parse_body({"endmacro"}, &found);
    loop_depth_ = saved_loops;
    expect_block_end();
    return s;
  }

  StmtPtr parse_filter_block(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::FilterBlock;
    s->line = line;
    s->expr = parse_filter_chain(make(ExprKind::Placeholder, line), true);
    expect_block_end();
    std::string found;
    int saved_loops = loop_depth_;
    loop_depth_ = 0;
    SoftScope hard(*this, false);
    s->body = parse_body({"endfilter"}, &found);
    loop_depth_ = saved_loops;
    expect_block_end();
    return s;
  }

  // {% generation %}...{% endgeneration %} (transformers' AssistantTracker): renders its body.
  StmtPtr parse_generation(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::If;
    s->line = line;
    expect_block_end();
    std::string found;
    auto cond = make(ExprKind::Literal, line);
    cond->literal = Value::from_bool(true);
    s->branches.emplace_back(std::move(cond), parse_body({"endgeneration"}, &found));
    expect_block_end();
    return s;
  }

  // ---- expressions ----

  bool at_tuple_end(const char* extra_end) const {
    if (cur().type == TokenType::VariableEnd || cur().type == TokenType::BlockEnd || cur().type == TokenType::End) {
      return true;
    }
    if (is_op(")")) return true;
    return extra_end != nullptr && is_name(extra_end);
  }

  ExprPtr parse_tuple(bool with_condexpr, bool explicit_parens, const char* extra_end = nullptr) {
    int line = cur().line;
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
      if (!items.empty()) expect_op(",");
      if (at_tuple_end(extra_end)) break;
      items.push_back(parse_expression(with_condexpr));
      if (is_op(",")) {
        is_tuple = true;
      } else {
        break;
      }
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parens) fail("expected an expression, got " + describe(cur()));
    }
    auto e = make(ExprKind::Tuple, line);
    e->args = std::move(items);
    return finish(std::move(e));
  }

  ExprPtr parse_expression(bool with_condexpr) {
    DepthGuard guard(*this, expr_depth_, kMaxExprDepth, "expression");
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  ExprPtr parse_condexpr() {
    std::size_t mark = unknown_.size();
    ExprPtr expr = parse_or();
    if (!is_name("if")) return expr;
    SoftScope soft(*this, true);
    unknown_.resize(mark);  // the whole inline if is soft, including its first part
    while (is_name("if")) {
      int line = cur().line;
      advance();
      auto e = make(ExprKind::Conditional, line);
      ExprPtr cond = parse_or();
      ExprPtr otherwise;
      if (is_name("else")) {
        advance();
        otherwise = parse_condexpr();
      }
      e->args.push_back(std::move(expr));
      e->args.push_back(std::move(cond));
      e->args.push_back(std::move(otherwise));
      expr = finish(std::move(e));
    }
    return expr;
  }

  ExprPtr binary(ExprKind kind, std::string op, ExprPtr left, ExprPtr right, int line) {
    auto e = make(kind, line);
    e->name = std::move(op);
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return finish(std::move(e));
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      int line = cur().line;
      advance();
      left = binary(ExprKind::Or, "or", std::move(left), parse_and(), line);
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      int line = cur().line;
      advance();
      left = binary(ExprKind::And, "and", std::move(left), parse_not(), line);
    }
    return left;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      DepthGuard guard(*this, expr_depth_, kMaxExprDepth, "expression");
      int line = cur().line;
      advance();
      auto e = make(ExprKind::Not, line);
      e->args.push_back(parse_not());
      return finish(std::move(e));
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    int line = cur().line;
    ExprPtr first = parse_math1();
    ExprPtr cmp;
    while (true) {
      std::string op;
      if (cur().type == TokenType::Operator && is_one_of(cur().value, {"==", "!=", "<", ">", "<=", ">="})) {
        op = cur().value;
        advance();
      } else if (is_name("in")) {
        op = "in";
        advance();
      } else if (is_name("not") && peek().type == TokenType::Name && peek().value == "in") {
        op = "not in";
        advance();
        advance();
      } else {
        break;
      }
      if (!cmp) {
        cmp = make(ExprKind::Compare, line);
        cmp->args.push_back(std::move(first));
      }
      cmp->ops.push_back(op);
      cmp->args.push_back(parse_math1());
    }
    return cmp ? finish(std::move(cmp)) : std::move(first);
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
      std::string op = cur().value;
      int line = cur().line;
      advance();
      left = binary(ExprKind::Binary, op, std::move(left), parse_concat(), line);
    }
    return left;
  }

  ExprPtr parse_concat() {
    int line = cur().line;
    ExprPtr first = parse_math2();
    if (!is_op("~")) return first;
    auto e = make(ExprKind::Concat, line);
    e->args.push_back(std::move(first));
    while (is_op("~")) {
      advance();
      e->args.push_back(parse_math2());
    }
    return finish(std::move(e));
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      std::string op = cur().value;
      int line = cur().line;
      advance();
      left = binary(ExprKind::Binary, op, std::move(left), parse_pow(), line);
    }
    return left;
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
      int line = cur().line;
      advance();
      left = binary(ExprKind::Binary, "**", std::move(left), parse_unary(true), line);
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    DepthGuard guard(*this, expr_depth_, kMaxExprDepth, "expression");
    int line = cur().line;
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
      auto e = make(ExprKind::Unary, line);
      e->name = cur().value;
      advance();
      e->args.push_back(parse_unary(false));
      node = finish(std::move(e));
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    int line = t.line;
    auto lit = make(ExprKind::Literal, line);
    switch (t.type) {
      case TokenType::Name: {
        if (t.value == "true" || t.value == "True") {
          lit->literal = Value::from_bool(true);
        } else if (t.value == "false" || t.value == "False") {
          lit->literal = Value::from_bool(false);
        } else if (t.value == "none" || t.value == "None") {
          lit->literal = Value::none();
        } else {
          auto e = make(ExprKind::Name, line);
          e->name = t.value;
          if (t.value == "loop") ++loop_refs_;
          advance();
          return e;
        }
        advance();
        return lit;
      }
      case TokenType::String: {
        std::string s;
        while (cur().type == TokenType::String) {
          s += cur().value;
          advance();
        }
        lit->literal = Value::from_string(std::move(s));
        return lit;
      }
      case TokenType::Integer: {
        std::int64_t v = 0;
        auto res = std::from_chars(t.value.data(), t.value.data() + t.value.size(), v);
        if (res.ec != std::errc()) fail("integer literal too large: " + t.value);
        lit->literal = Value::from_int(v);
        advance();
        return lit;
      }
      case TokenType::Float: {
        lit->literal = Value::from_float(std::strtod(t.value.c_str(), nullptr));
        advance();
        return lit;
      }
      case TokenType::Operator: {
        if (t.value == "(") {
          advance();
          ExprPtr e = parse_tuple(true, true);
          expect_op(")");
          return e;
        }
        if (t.value == "[") return parse_list();
        if (t.value == "{") return parse_dict();
        break;
      }
      default: break;
    }
    fail("unexpected " + describe(t));
  }

  ExprPtr parse_list() {
    auto e = make(ExprKind::List, cur().line);
    advance();
    while (!is_op("]")) {
      if (!e->args.empty()) expect_op(",");
      if (is_op("]")) break;
      e->args.push_back(parse_expression(true));
    }
    advance();
    return finish(std::move(e));
  }

  ExprPtr parse_dict() {
    auto e = make(ExprKind::Dict, cur().line);
    advance();
    while (!is_op("}")) {
      if (!e->args.empty()) expect_op(",");
      if (is_op("}")) break;
      e->args.push_back(parse_expression(true));
      expect_op(":");
      e->args.push_back(parse_expression(true));
    }
    advance();
    return finish(std::move(e));
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      if (is_op(".") || is_op("[")) {
        node = parse_subscript(std::move(node));
      } else if (is_op("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_filter_expr(ExprPtr node) {
    while (true) {
      if (is_op("|")) {
        node = parse_filter(std::move(node));
      } else if (is_name("is")) {
        node = parse_test(std::move(node));
      } else if (is_op("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr node) {
    int line = cur().line;
    if (is_op(".")) {
      advance();
      if (cur().type == TokenType::Name) {
        auto e = make(ExprKind::GetAttr, line);
        e->name = cur().value;
        advance();
        e->args.push_back(std::move(node));
        return finish(std::move(e));
      }
      if (cur().type == TokenType::Integer) {
        auto e = make(ExprKind::GetItem, line);
        e->args.push_back(std::move(node));
        e->args.push_back(parse_primary());
        return finish(std::move(e));
      }
      fail("expected a name after '.', got " + describe(cur()));
    }
    advance();  // [
    std::vector<ExprPtr> parts;
    while (!is_op("]")) {
      if (!parts.empty()) expect_op(",");
      if (is_op("]")) break;
      parts.push_back(parse_subscribed());
    }
    advance();
    ExprPtr index;
    if (parts.size() == 1) {
      index = std::move(parts[0]);
    } else {
      index = make(ExprKind::Tuple, line);
      index->args = std::move(parts);
      index = finish(std::move(index));
    }
    if (index->kind == ExprKind::Slice) {
      index->args.insert(index->args.begin(), std::move(node));
      return finish(std::move(index));
    }
    auto e = make(ExprKind::GetItem, line);
    e->args.push_back(std::move(node));
    e->args.push_back(std::move(index));
    return finish(std::move(e));
  }

  // One subscript: an expression or a slice `a:b:c` (returned as a Slice without its object).
  ExprPtr parse_subscribed() {
    int line = cur().line;
    ExprPtr start;
    if (!is_op(":")) {
      start = parse_expression(true);
      if (!is_op(":")) return start;
    }
    advance();  // :
    auto e = make(ExprKind::Slice, line);
    e->args.push_back(std::move(start));
    e->args.push_back(!is_op("]") && !is_op(",") && !is_op(":") ? parse_expression(true) : nullptr);
    ExprPtr step;
    if (is_op(":")) {
      advance();
      if (!is_op("]") && !is_op(",")) step = parse_expression(true);
    }
    e->args.push_back(std::move(step));
    return e;  // finished by the caller once the object is inserted
  }

  void parse_call_args(Expr& e) {
    expect_op("(");
    bool first = true;
    while (!is_op(")")) {
      if (!first) expect_op(",");
      first = false;
      if (is_op(")")) break;
      if (is_op("*") || is_op("**")) fail("unsupported: *args / **kwargs in calls");
      if (cur().type == TokenType::Name && peek().type == TokenType::Operator && peek().value == "=") {
        std::string key = cur().value;
        advance();
        advance();
        e.kwargs.emplace_back(std::move(key), parse_expression(true));
      } else {
        if (!e.kwargs.empty()) fail("positional argument follows keyword argument");
        e.args.push_back(parse_expression(true));
      }
    }
    advance();
  }

  ExprPtr parse_call(ExprPtr node) {
    auto e = make(ExprKind::Call, cur().line);
    e->args.push_back(std::move(node));
    parse_call_args(*e);
    return finish(std::move(e));
  }

  std::string parse_dotted_name() {
    std::string name = expect_name();
    while (is_op(".")) {
      advance();
      name += "." + expect_name();
    }
    return name;
  }

  ExprPtr parse_filter(ExprPtr node) {
    advance();  // |
    return parse_one_filter(std::move(node));
  }

  ExprPtr parse_one_filter(ExprPtr node) {
    auto e = make(ExprKind::Filter, cur().line);
    e->name = parse_dotted_name();
    if (filter_support(e->name) == Support::Unknown) note_unknown(e->line, "no filter named '" + e->name + "'");
    e->args.push_back(std::move(node));
    if (is_op("(")) parse_call_args(*e);
    return finish(std::move(e));
  }

  // `| f | g(x)` after a block tag; `start_inline`: the first filter has no leading '|'.
  ExprPtr parse_filter_chain(ExprPtr node, bool start_inline = false) {
    if (start_inline) node = parse_one_filter(std::move(node));
    while (is_op("|")) node = parse_filter(std::move(node));
    return node;
  }

  ExprPtr parse_test(ExprPtr node) {
    auto e = make(ExprKind::Test, cur().line);
    advance();  // is
    if (is_name("not")) {
      e->negated = true;
      advance();
    }
    e->name = parse_dotted_name();
    if (test_support(e->name) == Support::Unknown) note_unknown(e->line, "no test named '" + e->name + "'");
    e->args.push_back(std::move(node));
    if (is_op("(")) {
      parse_call_args(*e);
    } else if ((cur().type == TokenType::Name || cur().type == TokenType::String || cur().type == TokenType::Integer ||
                cur().type == TokenType::Float || is_op("[") || is_op("{")) &&
               !is_name("else") && !is_name("or") && !is_name("and")) {
      if (is_name("is")) fail("you cannot chain multiple tests with 'is'");
      e->args.push_back(parse_postfix(parse_primary()));
    }
    return finish(std::move(e));
  }

  // Unknown filter/test names fail the parse, as in jinja2, unless they sit in an
  // {% if %} or an inline if (jinja2's "soft" frames), where they fail when evaluated.
  void note_unknown(int line, std::string message) {
    if (!soft_) unknown_.emplace_back(line, std::move(message));
  }
  struct SoftScope {
    SoftScope(Parser& p, bool soft) : p_(p), saved_(p.soft_) { p_.soft_ = soft; }
    ~SoftScope() { p_.soft_ = saved_; }
    Parser& p_;
    bool saved_;
  };

  std::vector<Token> tokens_;
  std::vector<std::pair<int, std::string>> unknown_;
  bool soft_ = false;
  int loop_refs_ = 0;  // mentions of `loop` so far
  std::size_t pos_ = 0;
  int loop_depth_ = 0;
  int block_depth_ = 0;
  int expr_depth_ = 0;
};

}  // namespace

std::shared_ptr<const Template> parse_template(std::string_view source) {
  return Parser(tokenize(source)).run();
}

}  // namespace slm::jinja
