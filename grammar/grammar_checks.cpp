#include "grammar/grammar_checks.h"

#include <string>
#include <utility>
#include <vector>

#include "grammar/group_by_node.h"

namespace slm::grammar {

bool derives_empty(const Expr& e, const std::vector<char>& rule_nullable) {
  switch (e.kind) {
    case Expr::Kind::Literal: return e.bytes.empty();
    case Expr::Kind::Class: return false;
    case Expr::Kind::Ref: return rule_nullable[e.rule] != 0;
    case Expr::Kind::Sequence:
      for (const Expr& x : e.items) {
        if (!derives_empty(x, rule_nullable)) return false;
      }
      return true;
    case Expr::Kind::Alternation:
      for (const Expr& x : e.items) {
        if (derives_empty(x, rule_nullable)) return true;
      }
      return false;
    case Expr::Kind::Repeat: return e.min == 0 || derives_empty(e.items[0], rule_nullable);
  }
  return false;
}

namespace {

bool derives_some_string(const Expr& e, const std::vector<char>& rule_productive) {
  switch (e.kind) {
    case Expr::Kind::Literal: return true;
    case Expr::Kind::Class: return !e.set.empty();
    case Expr::Kind::Ref: return rule_productive[e.rule] != 0;
    case Expr::Kind::Sequence:
      for (const Expr& x : e.items) {
        if (!derives_some_string(x, rule_productive)) return false;
      }
      return true;
    case Expr::Kind::Alternation:
      for (const Expr& x : e.items) {
        if (derives_some_string(x, rule_productive)) return true;
      }
      return false;
    case Expr::Kind::Repeat: return e.min == 0 || derives_some_string(e.items[0], rule_productive);
  }
  return false;
}

void collect_refs(const Expr& e, std::vector<uint32_t>& out) {
  if (e.kind == Expr::Kind::Ref) out.push_back(e.rule);
  for (const Expr& x : e.items) collect_refs(x, out);
}

size_t expr_size(const Expr& e) {
  size_t n = 1;
  for (const Expr& x : e.items) n += expr_size(x);
  return n;
}

// Edges between rules in one array instead of a vector per rule: the edges from rule r
// are pairs[begin[r]] .. pairs[begin[r + 1] - 1], in the order they were added.
struct RuleEdges {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (from, to)
  std::vector<uint32_t> begin;
  RuleEdges(size_t rules, std::vector<std::pair<uint32_t, uint32_t>> edges) : pairs(std::move(edges)) {
    begin = group_by_node(pairs, rules, [](const auto& e) { return e.first; });
  }
};

// Who refers to each rule, and each rule body's size: what rule_fixpoint needs.
struct RuleGraph {
  RuleEdges users;
  std::vector<size_t> size;
};

RuleGraph rule_graph(const GbnfAst& ast) {
  const size_t n = ast.rules.size();
  std::vector<size_t> size(n);
  std::vector<std::pair<uint32_t, uint32_t>> uses;  // (used rule, user)
  std::vector<uint32_t> refs;
  for (uint32_t r = 0; r < n; ++r) {
    refs.clear();
    collect_refs(ast.rules[r].body, refs);
    for (const uint32_t s : refs) uses.push_back({s, r});
    size[r] = expr_size(ast.rules[r].body);
  }
  return {RuleEdges(n, std::move(uses)), std::move(size)};
}

// Least fixed point of a per-rule property over the rule bodies. A rule is re-evaluated
// only when a rule it refers to changed; the total work is capped so that a grammar
// built to need quadratic work fails instead of hanging.
template <typename Property>
std::vector<char> rule_fixpoint(const GbnfAst& ast, const RuleGraph& graph, Property property) {
  const size_t n = ast.rules.size();
  const auto& users = graph.users;
  const auto& size = graph.size;
  constexpr size_t kMaxWork = size_t{64} << 20;
  size_t work = 0;
  std::vector<char> value(n, 0);
  std::vector<uint32_t> pending;
  for (size_t r = n; r-- > 0;) pending.push_back(static_cast<uint32_t>(r));
  while (!pending.empty()) {
    const uint32_t r = pending.back();
    pending.pop_back();
    if (value[r] != 0) continue;
    work += size[r];
    if (work > kMaxWork) throw_gbnf_error(ast.rules[r].pos, "grammar too large to check (rules refer to each other too much)");
    if (property(ast.rules[r].body, value)) {
      value[r] = 1;
      for (uint32_t i = users.begin[r]; i < users.begin[r + 1]; ++i) {
        const uint32_t u = users.pairs[i].second;
        if (value[u] == 0) pending.push_back(u);
      }
    }
  }
  return value;
}

// Rules that `e` may call before consuming any byte.
void leading_calls(const Expr& e, const std::vector<char>& nullable, std::vector<uint32_t>& out) {
  switch (e.kind) {
    case Expr::Kind::Ref: out.push_back(e.rule); return;
    case Expr::Kind::Sequence:
      for (const Expr& x : e.items) {
        leading_calls(x, nullable, out);
        if (!derives_empty(x, nullable)) return;
      }
      return;
    case Expr::Kind::Alternation:
      for (const Expr& x : e.items) leading_calls(x, nullable, out);
      return;
    case Expr::Kind::Repeat:
      if (e.unbounded || e.max > 0) leading_calls(e.items[0], nullable, out);
      return;
    case Expr::Kind::Literal:
    case Expr::Kind::Class: return;
  }
}

void check_left_recursion(const GbnfAst& ast, const std::vector<char>& nullable) {
  const size_t n = ast.rules.size();
  std::vector<std::pair<uint32_t, uint32_t>> calls;  // (caller, callee)
  std::vector<uint32_t> callees;
  for (uint32_t r = 0; r < n; ++r) {
    callees.clear();
    leading_calls(ast.rules[r].body, nullable, callees);
    for (const uint32_t s : callees) calls.push_back({r, s});
  }
  const RuleEdges graph(n, std::move(calls));
  // Iterative depth-first search; a back edge is a cycle of leading calls.
  enum : char { kNew, kOpen, kDone };
  std::vector<char> state(n, kNew);
  std::vector<std::pair<uint32_t, size_t>> path;
  for (uint32_t root = 0; root < n; ++root) {
    if (state[root] != kNew) continue;
    path.push_back({root, 0});
    state[root] = kOpen;
    while (!path.empty()) {
      auto& [r, next] = path.back();
      if (next == graph.begin[r + 1] - graph.begin[r]) {
        state[r] = kDone;
        path.pop_back();
        continue;
      }
      const uint32_t s = graph.pairs[graph.begin[r] + next++].second;
      if (state[s] == kOpen) {
        std::string cycle = ast.rules[s].name;
        size_t k = path.size();
        while (k > 0 && path[k - 1].first != s) --k;
        for (size_t i = k; i < path.size(); ++i) cycle += " -> " + ast.rules[path[i].first].name;
        cycle += " -> " + ast.rules[s].name;
        throw_gbnf_error(ast.rules[s].pos, "left recursion: rule '" + ast.rules[s].name +
                                               "' can call itself without consuming input (" + cycle + ")");
      }
      if (state[s] == kNew) {
        state[s] = kOpen;
        path.push_back({s, 0});
      }
    }
  }
}

}  // namespace

std::vector<char> check_grammar(const GbnfAst& ast) {
  for (const Rule& r : ast.rules) {
    if (!r.defined) throw_gbnf_error(r.pos, "undefined rule '" + r.name + "'");
  }
  const RuleGraph graph = rule_graph(ast);
  const std::vector<char> productive = rule_fixpoint(ast, graph, derives_some_string);
  for (size_t r = 0; r < ast.rules.size(); ++r) {
    if (productive[r] == 0) {
      throw_gbnf_error(ast.rules[r].pos,
                       "rule '" + ast.rules[r].name + "' can never finish (it matches no finite text)");
    }
  }
  std::vector<char> nullable = rule_fixpoint(ast, graph, derives_empty);
  check_left_recursion(ast, nullable);
  return nullable;
}

}  // namespace slm::grammar
