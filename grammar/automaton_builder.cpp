// Thompson-style construction with epsilon edges, then epsilon removal and pruning, so
// that at run time a node only has byte edges, rule calls and a "may end here" flag.
#include "grammar/automaton_builder.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "slm/error.h"

namespace slm::grammar {

namespace {

struct Call {
  uint32_t rule;
  uint32_t ret;
  bool operator==(const Call&) const = default;
  auto operator<=>(const Call&) const = default;
};

struct RawNode {
  std::vector<ByteEdge> bytes;
  std::vector<Call> calls;
  std::vector<uint32_t> eps;
  bool final = false;
};

[[noreturn]] void too_large() {
  throw Error("gbnf: grammar too large to compile (more than " + std::to_string(kMaxGrammarNodes) + " states or " +
              std::to_string(kMaxGrammarEdges) + " edges; lower the {m,n} counts)");
}

class Builder {
 public:
  explicit Builder(const GbnfAst& ast) : ast_(ast) {}

  Grammar::Parts build(std::string_view root) {
    uint32_t root_rule = UINT32_MAX;
    for (uint32_t r = 0; r < ast_.rules.size(); ++r) {
      if (ast_.rules[r].name == root) root_rule = r;
    }
    if (root_rule == UINT32_MAX) throw_gbnf_error(SourcePos{}, "missing root rule '" + std::string(root) + "'");
    for (const Rule& r : ast_.rules) {
      const uint32_t start = new_node();
      rule_start_.push_back(start);
      nodes_[emit(r.body, start)].final = true;
    }
    return finish(root_rule);
  }

 private:
  uint32_t new_node() {
    if (nodes_.size() >= kMaxGrammarNodes) too_large();
    nodes_.emplace_back();
    return static_cast<uint32_t>(nodes_.size() - 1);
  }
  void count_edge() {
    if (++edges_ > kMaxGrammarEdges) too_large();
  }
  void byte_edge(uint32_t from, uint8_t lo, uint8_t hi, uint32_t to) {
    count_edge();
    nodes_[from].bytes.push_back({lo, hi, to});
  }
  void eps(uint32_t from, uint32_t to) {
    count_edge();
    nodes_[from].eps.push_back(to);
  }

  // Adds the automaton of `e` starting at `from`; returns the node where it ends.
  uint32_t emit(const Expr& e, uint32_t from) {
    switch (e.kind) {
      case Expr::Kind::Literal: {
        uint32_t at = from;
        for (const char c : e.bytes) {
          const uint32_t next = new_node();
          const auto b = static_cast<uint8_t>(c);
          byte_edge(at, b, b, next);
          at = next;
        }
        return at;
      }
      case Expr::Kind::Class: {
        const uint32_t to = new_node();
        emit_utf8(e.set, from, to);
        return to;
      }
      case Expr::Kind::Ref: {
        const uint32_t to = new_node();
        count_edge();
        nodes_[from].calls.push_back({e.rule, to});
        return to;
      }
      case Expr::Kind::Sequence: {
        uint32_t at = from;
        for (const Expr& x : e.items) at = emit(x, at);
        return at;
      }
      case Expr::Kind::Alternation: {
        const uint32_t to = new_node();
        for (const Expr& x : e.items) eps(emit(x, from), to);
        return to;
      }
      case Expr::Kind::Repeat: return emit_repeat(e, from);
    }
    return from;
  }

  uint32_t emit_repeat(const Expr& e, uint32_t from) {
    const Expr& item = e.items[0];
    uint32_t at = from;
    for (uint32_t i = 0; i < e.min; ++i) at = emit(item, at);
    if (e.unbounded) {
      // A fresh loop node, so the loop never re-enters edges that leave `from`.
      const uint32_t loop = new_node();
      eps(at, loop);
      eps(emit(item, loop), loop);
      return loop;
    }
    if (e.max == e.min) return at;
    // Optional copies, each able to jump straight to the end: x (x (x)?)? stays linear.
    const uint32_t end = new_node();
    for (uint32_t i = e.min; i < e.max; ++i) {
      eps(at, end);
      const uint32_t next = new_node();
      eps(at, next);
      at = emit(item, next);
    }
    eps(at, end);
    return end;
  }

  // The UTF-8 encodings of the code points in `set`, as deterministic byte edges.
  void emit_utf8(const CodepointSet& set, uint32_t from, uint32_t to) {
    struct Length {
      uint32_t lo, hi;   // code points of this encoded length
      uint8_t lead_lo;   // first lead byte
      uint8_t lead_hi;
      uint32_t lead_base;  // code point of lead_lo followed by minimal continuation bytes
      int rest;          // continuation bytes
    };
    static constexpr Length kLengths[] = {
        {0x0, 0x7F, 0x00, 0x7F, 0x0, 0},
        {0x80, 0x7FF, 0xC0, 0xDF, 0x0, 1},
        {0x800, 0xFFFF, 0xE0, 0xEF, 0x0, 2},
        {0x10000, kMaxCodepoint, 0xF0, 0xF7, 0x0, 3},
    };
    std::vector<uint32_t> any_chain{to};  // any_chain[k]: k arbitrary continuation bytes, then `to`
    for (const Length& len : kLengths) {
      const CodepointSet part = set.intersect(len.lo, len.hi);
      if (!part.empty()) emit_level(part, from, to, len.lead_lo, len.lead_hi, len.lead_base, len.rest, any_chain);
    }
  }

  // Bytes lo..hi each stand for a block of 64^rest code points starting at `base`.
  void emit_level(const CodepointSet& set, uint32_t from, uint32_t to, uint8_t lo, uint8_t hi, uint32_t base,
                  int rest, std::vector<uint32_t>& any_chain) {
    const uint32_t block = 1u << (6 * rest);
    int full_start = -1;  // first byte of the current run of fully covered blocks
    auto close_run = [&](int end_byte) {
      if (full_start < 0) return;
      byte_edge(from, static_cast<uint8_t>(full_start), static_cast<uint8_t>(end_byte), chain(rest, any_chain));
      full_start = -1;
    };
    for (int b = lo; b <= hi; ++b) {
      const uint32_t first = base + static_cast<uint32_t>(b - lo) * block;
      const auto cov = set.coverage(first, first + block - 1);
      if (cov == CodepointSet::Coverage::Full) {
        if (full_start < 0) full_start = b;
        continue;
      }
      close_run(b - 1);
      if (cov == CodepointSet::Coverage::Partial) {
        const uint32_t mid = new_node();
        byte_edge(from, static_cast<uint8_t>(b), static_cast<uint8_t>(b), mid);
        emit_level(set.intersect(first, first + block - 1), mid, to, 0x80, 0xBF, first, rest - 1, any_chain);
      }
    }
    close_run(hi);
  }

  uint32_t chain(int k, std::vector<uint32_t>& any_chain) {
    while (any_chain.size() <= static_cast<size_t>(k)) {
      const uint32_t node = new_node();
      byte_edge(node, 0x80, 0xBF, any_chain.back());
      any_chain.push_back(node);
    }
    return any_chain[static_cast<size_t>(k)];
  }

  Grammar::Parts finish(uint32_t root_rule);

  const GbnfAst& ast_;
  std::vector<RawNode> nodes_;
  std::vector<uint32_t> rule_start_;
  size_t edges_ = 0;
};

Grammar::Parts Builder::finish(uint32_t root_rule) {
  const size_t n = nodes_.size();
  // Epsilon removal: a node takes the edges and the final flag of everything it reaches
  // through epsilon edges.
  std::vector<RawNode> closed(n);
  std::vector<uint32_t> seen(n, UINT32_MAX);
  std::vector<uint32_t> work;
  size_t total = 0;
  for (uint32_t v = 0; v < n; ++v) {
    RawNode& out = closed[v];
    work.assign(1, v);
    seen[v] = v;
    while (!work.empty()) {
      const uint32_t u = work.back();
      work.pop_back();
      const RawNode& raw = nodes_[u];
      total += 1;  // visits count too: long epsilon chains would otherwise cost n^2 time
      out.final = out.final || raw.final;
      out.bytes.insert(out.bytes.end(), raw.bytes.begin(), raw.bytes.end());
      out.calls.insert(out.calls.end(), raw.calls.begin(), raw.calls.end());
      total += raw.bytes.size() + raw.calls.size();
      if (total > kMaxGrammarEdges) too_large();
      for (const uint32_t w : raw.eps) {
        if (seen[w] != v) {
          seen[w] = v;
          work.push_back(w);
        }
      }
    }
    std::sort(out.bytes.begin(), out.bytes.end(),
              [](const ByteEdge& a, const ByteEdge& b) { return std::tie(a.lo, a.hi, a.to) < std::tie(b.lo, b.hi, b.to); });
    out.bytes.erase(std::unique(out.bytes.begin(), out.bytes.end(),
                                [](const ByteEdge& a, const ByteEdge& b) { return a.lo == b.lo && a.hi == b.hi && a.to == b.to; }),
                    out.bytes.end());
    std::sort(out.calls.begin(), out.calls.end());
    out.calls.erase(std::unique(out.calls.begin(), out.calls.end()), out.calls.end());
  }

  // Live nodes: those from which the rule can still finish (every rule can, checked
  // before); edges into other nodes would lead to dead ends and are dropped.
  std::vector<std::vector<uint32_t>> preds(n);
  for (uint32_t v = 0; v < n; ++v) {
    for (const ByteEdge& e : closed[v].bytes) preds[e.to].push_back(v);
    for (const Call& c : closed[v].calls) preds[c.ret].push_back(v);
  }
  std::vector<char> live(n, 0);
  work.clear();
  for (uint32_t v = 0; v < n; ++v) {
    if (closed[v].final) {
      live[v] = 1;
      work.push_back(v);
    }
  }
  while (!work.empty()) {
    const uint32_t v = work.back();
    work.pop_back();
    for (const uint32_t u : preds[v]) {
      if (!live[u]) {
        live[u] = 1;
        work.push_back(u);
      }
    }
  }
  for (uint32_t r = 0; r < rule_start_.size(); ++r) {
    if (!live[rule_start_[r]]) {
      throw_gbnf_error(ast_.rules[r].pos, "rule '" + ast_.rules[r].name + "' can never finish");
    }
  }

  // Keep the nodes reachable from the rule starts, renumbered densely.
  std::vector<uint32_t> id(n, UINT32_MAX);
  std::vector<uint32_t> order;
  for (const uint32_t s : rule_start_) {
    if (id[s] == UINT32_MAX) {
      id[s] = static_cast<uint32_t>(order.size());
      order.push_back(s);
    }
  }
  for (size_t i = 0; i < order.size(); ++i) {
    const RawNode& node = closed[order[i]];
    auto visit = [&](uint32_t w) {
      if (live[w] && id[w] == UINT32_MAX) {
        id[w] = static_cast<uint32_t>(order.size());
        order.push_back(w);
      }
    };
    for (const ByteEdge& e : node.bytes) visit(e.to);
    for (const Call& c : node.calls) visit(c.ret);
  }
  Grammar::Parts parts;
  parts.rule_count = rule_start_.size();
  parts.root_start = id[rule_start_[root_rule]];
  parts.edge_begin.push_back(0);
  parts.call_begin.push_back(0);
  for (const uint32_t v : order) {
    const RawNode& node = closed[v];
    for (const ByteEdge& e : node.bytes) {
      if (live[e.to]) parts.edges.push_back({e.lo, e.hi, id[e.to]});
    }
    for (const Call& c : node.calls) {
      if (live[c.ret]) parts.calls.push_back({id[rule_start_[c.rule]], id[c.ret]});
    }
    parts.edge_begin.push_back(static_cast<uint32_t>(parts.edges.size()));
    parts.call_begin.push_back(static_cast<uint32_t>(parts.calls.size()));
    parts.is_final.push_back(node.final ? 1 : 0);
  }
  return parts;
}

}  // namespace

Grammar::Parts build_automaton(const GbnfAst& ast, std::string_view root) { return Builder(ast).build(root); }

}  // namespace slm::grammar
