// Thompson-style construction with epsilon edges, then epsilon removal and pruning, so
// that at run time a node only has byte edges, rule calls and a "may end here" flag.
#include "grammar/automaton_builder.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "grammar/grammar_checks.h"
#include "grammar/group_by_node.h"
#include "grammar/utf8_paths.h"
#include "slm/error.h"

namespace slm::grammar {

namespace {

// The automaton under construction: flat edge lists tagged with their source node, put
// in per-node order once at the end. Nodes are only counted here.
struct RawByte {
  uint32_t from;
  uint8_t lo;
  uint8_t hi;
  uint32_t to;
};
struct RawCall {
  uint32_t from;
  uint32_t rule;
  uint32_t ret;
};
struct RawEps {
  uint32_t from;
  uint32_t to;
};
struct Call {
  uint32_t rule;
  uint32_t ret;
  auto operator<=>(const Call&) const = default;
};

// Repeats with fewer copies gain nothing from Grammar::equivalent_node: it only merges
// copies more than the longest token away from both ends, and real vocabularies have
// tokens of 16 characters and more.
constexpr uint32_t kMinTrackedCopies = 16;

bool has_repeat(const Expr& e) {
  if (e.kind == Expr::Kind::Repeat) return true;
  for (const Expr& x : e.items) {
    if (has_repeat(x)) return true;
  }
  return false;
}

[[noreturn]] void too_large() {
  throw Error("gbnf: grammar too large to compile (more than " + std::to_string(kMaxGrammarNodes) + " states or " +
              std::to_string(kMaxGrammarEdges) + " edges; lower the {m,n} counts)");
}

class Builder {
 public:
  Builder(const GbnfAst& ast, const std::vector<char>& nullable) : ast_(ast), nullable_(nullable) {}

  Grammar::Parts build(std::string_view root) {
    uint32_t root_rule = UINT32_MAX;
    for (uint32_t r = 0; r < ast_.rules.size(); ++r) {
      if (ast_.rules[r].name == root) root_rule = r;
    }
    if (root_rule == UINT32_MAX) throw_gbnf_error(SourcePos{}, "missing root rule '" + std::string(root) + "'");
    for (const Rule& r : ast_.rules) {
      const uint32_t start = new_node();
      rule_start_.push_back(start);
      final_[emit(r.body, start)] = 1;
    }
    return finish(root_rule);
  }

 private:
  uint32_t new_node() {
    if (final_.size() >= kMaxGrammarNodes) too_large();
    final_.push_back(0);
    return static_cast<uint32_t>(final_.size() - 1);
  }
  void count_edge() {
    if (++edges_ > kMaxGrammarEdges) too_large();
  }
  void byte_edge(uint32_t from, uint8_t lo, uint8_t hi, uint32_t to) {
    count_edge();
    bytes_.push_back({from, lo, hi, to});
  }
  void eps(uint32_t from, uint32_t to) {
    count_edge();
    eps_.push_back({from, to});
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
      case Expr::Kind::Class: return emit_class(e.set, from);
      case Expr::Kind::Ref: {
        const uint32_t to = new_node();
        count_edge();
        calls_.push_back({from, e.rule, to});
        return to;
      }
      case Expr::Kind::Sequence: {
        uint32_t at = from;
        for (const Expr& x : e.items) at = emit(x, at);
        return at;
      }
      case Expr::Kind::Alternation: {
        const uint32_t to = new_node();
        emit_alternatives(e.items, from, to);
        return to;
      }
      case Expr::Kind::Repeat: return emit_repeat(e, from);
    }
    return from;
  }

  // Alternatives that begin with literal bytes share a trie of those bytes, so that an
  // enum of hundreds of strings reads each byte in one state instead of one state per
  // alternative (which would be as many parser stacks at run time).
  void emit_alternatives(const std::vector<Expr>& items, uint32_t from, uint32_t to) {
    auto head = [](const Expr& x) -> const Expr& {
      return x.kind == Expr::Kind::Sequence && !x.items.empty() ? x.items[0] : x;
    };
    // With one literal alternative at most there is nothing to share: its bytes are
    // emitted as they come, which makes the same states the trie would.
    const bool share = std::count_if(items.begin(), items.end(), [&](const Expr& x) {
                         return head(x).kind == Expr::Kind::Literal;
                       }) > 1;
    std::map<std::pair<uint32_t, uint8_t>, uint32_t> child;  // (node, byte) -> trie node
    for (const Expr& x : items) {
      const bool sequence = x.kind == Expr::Kind::Sequence && !x.items.empty();
      if (head(x).kind != Expr::Kind::Literal || !share) {
        eps(emit(x, from), to);
        continue;
      }
      uint32_t at = from;
      for (const char c : head(x).bytes) {
        const auto b = static_cast<uint8_t>(c);
        auto [it, added] = child.try_emplace({at, b}, 0);
        if (added) {
          it->second = new_node();
          byte_edge(at, b, b, it->second);
        }
        at = it->second;
      }
      if (sequence) {
        for (size_t i = 1; i < x.items.size(); ++i) at = emit(x.items[i], at);
      }
      eps(at, to);
    }
  }

  uint32_t emit_repeat(const Expr& e, uint32_t from) {
    const Expr& item = e.items[0];
    // Copies of a long repeat are tracked (see RepeatCopies): the nodes each emit of the
    // item creates, from its first one on.
    const uint32_t copies = e.unbounded ? e.min : e.max;
    const bool tracked = copies >= kMinTrackedCopies && !derives_empty(item, nullable_) && !has_repeat(item);
    if (tracked) repeats_.push_back({e.min, e.unbounded ? RepeatCopies::kUnbounded : e.max, {}});
    const size_t repeat = repeats_.size() - 1;
    auto copy = [&](uint32_t at) {
      if (tracked) repeats_[repeat].copy_begin.push_back(static_cast<uint32_t>(final_.size()));
      return emit(item, at);
    };
    uint32_t at = from;
    for (uint32_t i = 0; i < e.min; ++i) at = copy(at);
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
      at = copy(at);
    }
    eps(at, end);
    return end;
  }

  // A copy of the class's UTF-8 automaton, worked out on its first use.
  uint32_t emit_class(const CodepointSet& set, uint32_t from) {
    empty_class_ |= set.empty();
    auto [it, added] = classes_.try_emplace(set.ranges());
    if (added) it->second = utf8_paths(set);
    const Utf8Paths& paths = it->second;
    std::vector<uint32_t>& id = class_nodes_;
    id.assign(paths.node_count, 0);
    id[Utf8Paths::kStart] = from;
    for (uint32_t k = Utf8Paths::kEnd; k < paths.node_count; ++k) id[k] = new_node();
    for (const Utf8Paths::Edge& edge : paths.edges) byte_edge(id[edge.from], edge.lo, edge.hi, id[edge.to]);
    return id[Utf8Paths::kEnd];
  }

  Grammar::Parts finish(uint32_t root_rule);

  struct TrackedRepeat {
    uint32_t min;
    uint32_t max;
    std::vector<uint32_t> copy_begin;  // first node of each copy
  };

  const GbnfAst& ast_;
  const std::vector<char>& nullable_;
  std::vector<TrackedRepeat> repeats_;
  std::vector<uint8_t> final_;  // one per node: the node's rule may end there
  std::vector<RawByte> bytes_;
  std::vector<RawCall> calls_;
  std::vector<RawEps> eps_;
  std::vector<uint32_t> rule_start_;
  std::map<std::vector<std::pair<uint32_t, uint32_t>>, Utf8Paths> classes_;
  std::vector<uint32_t> class_nodes_;
  size_t edges_ = 0;
  bool empty_class_ = false;  // some class matches nothing: states may be dead ends
};

Grammar::Parts Builder::finish(uint32_t root_rule) {
  const size_t n = final_.size();
  const std::vector<uint32_t> byte_begin = group_by_node(bytes_, n, [](const RawByte& b) { return b.from; });
  const std::vector<uint32_t> call_begin = group_by_node(calls_, n, [](const RawCall& c) { return c.from; });
  const std::vector<uint32_t> eps_begin = group_by_node(eps_, n, [](const RawEps& e) { return e.from; });

  // Only rule starts and the targets of byte edges and calls can be states at run time;
  // every other node is a junction of epsilon edges and disappears.
  std::vector<char> state(n, 0);
  for (const uint32_t s : rule_start_) state[s] = 1;
  for (const RawByte& b : bytes_) state[b.to] = 1;
  for (const RawCall& c : calls_) state[c.ret] = 1;

  // Epsilon removal: a state takes the edges and the final flag of everything it
  // reaches through epsilon edges.
  std::vector<uint32_t> closed_byte_begin(n + 1, 0);
  std::vector<uint32_t> closed_call_begin(n + 1, 0);
  std::vector<ByteEdge> closed_bytes;
  std::vector<Call> closed_calls;
  closed_bytes.reserve(bytes_.size());  // about as many: junctions hand their edges to states
  closed_calls.reserve(calls_.size());
  std::vector<uint8_t> closed_final(n, 0);
  std::vector<uint32_t> seen(n, UINT32_MAX);
  std::vector<uint32_t> work;
  size_t total = 0;
  auto byte_order = [](const ByteEdge& a, const ByteEdge& b) { return std::tie(a.lo, a.hi, a.to) < std::tie(b.lo, b.hi, b.to); };
  auto same_byte = [](const ByteEdge& a, const ByteEdge& b) { return a.lo == b.lo && a.hi == b.hi && a.to == b.to; };
  for (uint32_t v = 0; v < n; ++v) {
    closed_byte_begin[v] = static_cast<uint32_t>(closed_bytes.size());
    closed_call_begin[v] = static_cast<uint32_t>(closed_calls.size());
    if (!state[v]) continue;
    const size_t first_byte = closed_bytes.size();
    const size_t first_call = closed_calls.size();
    auto take = [&](uint32_t u) {
      total += 1;  // visits count too: long epsilon chains would otherwise cost n^2 time
      closed_final[v] |= final_[u];
      for (uint32_t i = byte_begin[u]; i < byte_begin[u + 1]; ++i) closed_bytes.push_back({bytes_[i].lo, bytes_[i].hi, bytes_[i].to});
      for (uint32_t i = call_begin[u]; i < call_begin[u + 1]; ++i) closed_calls.push_back({calls_[i].rule, calls_[i].ret});
      total += (byte_begin[u + 1] - byte_begin[u]) + (call_begin[u + 1] - call_begin[u]);
      if (total > kMaxGrammarEdges) too_large();
    };
    take(v);
    // Most states (every byte of a literal) have no epsilon edges: no search for them.
    if (eps_begin[v] != eps_begin[v + 1]) {
      work.clear();
      work.push_back(v);
      seen[v] = v;
      while (!work.empty()) {
        const uint32_t u = work.back();
        work.pop_back();
        if (u != v) take(u);
        for (uint32_t i = eps_begin[u]; i < eps_begin[u + 1]; ++i) {
          const uint32_t w = eps_[i].to;
          if (seen[w] != v) {
            seen[w] = v;
            work.push_back(w);
          }
        }
      }
    }
    if (closed_bytes.size() - first_byte > 1) {
      const auto bytes = closed_bytes.begin() + static_cast<std::ptrdiff_t>(first_byte);
      std::sort(bytes, closed_bytes.end(), byte_order);
      closed_bytes.erase(std::unique(bytes, closed_bytes.end(), same_byte), closed_bytes.end());
    }
    if (closed_calls.size() - first_call > 1) {
      const auto calls = closed_calls.begin() + static_cast<std::ptrdiff_t>(first_call);
      std::sort(calls, closed_calls.end());
      closed_calls.erase(std::unique(calls, closed_calls.end()), closed_calls.end());
    }
  }
  closed_byte_begin[n] = static_cast<uint32_t>(closed_bytes.size());
  closed_call_begin[n] = static_cast<uint32_t>(closed_calls.size());

  // Live states: those from which the rule can still finish (every rule can, checked
  // before); edges into other states would lead to dead ends and are dropped. Every
  // node of an expression leads to its end, and every called rule finishes, unless a
  // character class is empty: without one, all states are live, and no search is needed.
  std::vector<char> live(n, 1);
  if (empty_class_) {
    std::vector<RawEps> back;  // state edges reversed: from = target, to = source
    back.reserve(closed_bytes.size() + closed_calls.size());
    for (uint32_t v = 0; v < n; ++v) {
      for (uint32_t i = closed_byte_begin[v]; i < closed_byte_begin[v + 1]; ++i) back.push_back({closed_bytes[i].to, v});
      for (uint32_t i = closed_call_begin[v]; i < closed_call_begin[v + 1]; ++i) back.push_back({closed_calls[i].ret, v});
    }
    const std::vector<uint32_t> back_begin = group_by_node(back, n, [](const RawEps& e) { return e.from; });
    live.assign(n, 0);
    work.clear();
    for (uint32_t v = 0; v < n; ++v) {
      if (state[v] && closed_final[v]) {
        live[v] = 1;
        work.push_back(v);
      }
    }
    while (!work.empty()) {
      const uint32_t v = work.back();
      work.pop_back();
      for (uint32_t i = back_begin[v]; i < back_begin[v + 1]; ++i) {
        const uint32_t u = back[i].to;
        if (!live[u]) {
          live[u] = 1;
          work.push_back(u);
        }
      }
    }
  }
  for (uint32_t r = 0; r < rule_start_.size(); ++r) {
    if (!live[rule_start_[r]]) {
      throw_gbnf_error(ast_.rules[r].pos, "rule '" + ast_.rules[r].name + "' can never finish");
    }
  }

  // A call whose return state only ends its rule (final, nothing to read or call) is a
  // tail call: the callee returns straight to the caller's caller, so no frame is kept
  // for it. Chains of such calls (a trie of names written as rules, right recursion)
  // then keep stacks one frame deep instead of one frame per call, and the stack sets
  // met along different paths are the same sets.
  auto only_ends = [&](uint32_t v) {
    return closed_final[v] && closed_byte_begin[v] == closed_byte_begin[v + 1] &&
           closed_call_begin[v] == closed_call_begin[v + 1];
  };

  // Keep the states reachable from the rule starts, renumbered densely.
  std::vector<uint32_t> id(n, UINT32_MAX);
  std::vector<uint32_t> order;
  for (const uint32_t s : rule_start_) {
    if (id[s] == UINT32_MAX) {
      id[s] = static_cast<uint32_t>(order.size());
      order.push_back(s);
    }
  }
  auto visit = [&](uint32_t w) {
    if (live[w] && id[w] == UINT32_MAX) {
      id[w] = static_cast<uint32_t>(order.size());
      order.push_back(w);
    }
  };
  for (size_t i = 0; i < order.size(); ++i) {
    const uint32_t v = order[i];
    for (uint32_t k = closed_byte_begin[v]; k < closed_byte_begin[v + 1]; ++k) visit(closed_bytes[k].to);
    for (uint32_t k = closed_call_begin[v]; k < closed_call_begin[v + 1]; ++k) {
      if (!only_ends(closed_calls[k].ret)) visit(closed_calls[k].ret);
    }
  }
  Grammar::Parts parts;
  parts.rule_count = rule_start_.size();
  parts.root_start = id[rule_start_[root_rule]];
  parts.edge_begin.reserve(order.size() + 1);
  parts.call_begin.reserve(order.size() + 1);
  parts.is_final.reserve(order.size());
  parts.edges.reserve(closed_bytes.size());
  parts.calls.reserve(closed_calls.size());
  parts.edge_begin.push_back(0);
  parts.call_begin.push_back(0);
  for (const uint32_t v : order) {
    for (uint32_t k = closed_byte_begin[v]; k < closed_byte_begin[v + 1]; ++k) {
      const ByteEdge& e = closed_bytes[k];
      if (live[e.to]) parts.edges.push_back({e.lo, e.hi, id[e.to]});
    }
    for (uint32_t k = closed_call_begin[v]; k < closed_call_begin[v + 1]; ++k) {
      const Call& c = closed_calls[k];
      if (live[c.ret]) parts.calls.push_back({id[rule_start_[c.rule]], only_ends(c.ret) ? kNoNode : id[c.ret]});
    }
    parts.edge_begin.push_back(static_cast<uint32_t>(parts.edges.size()));
    parts.call_begin.push_back(static_cast<uint32_t>(parts.calls.size()));
    parts.is_final.push_back(closed_final[v]);
  }
  // The tracked repeats' places in the new numbering (junctions and pruned nodes have none).
  for (const TrackedRepeat& t : repeats_) {
    const auto states = static_cast<uint32_t>(t.copy_begin.size() > 1 ? t.copy_begin[1] - t.copy_begin[0] : 0);
    if (states == 0) continue;
    parts.repeats.push_back({t.min, t.max, static_cast<uint32_t>(t.copy_begin.size()), states,
                             static_cast<uint32_t>(parts.repeat_nodes.size())});
    for (const uint32_t begin : t.copy_begin) {
      for (uint32_t v = begin; v < begin + states; ++v) parts.repeat_nodes.push_back(state[v] && live[v] ? id[v] : kNoNode);
    }
  }
  if (!parts.repeats.empty()) {
    parts.repeat_place.assign(parts.is_final.size(), kNoNode);
    for (uint32_t place = 0; place < parts.repeat_nodes.size(); ++place) {
      if (parts.repeat_nodes[place] != kNoNode) parts.repeat_place[parts.repeat_nodes[place]] = place;
    }
  }
  return parts;
}

}  // namespace

Grammar::Parts build_automaton(const GbnfAst& ast, std::string_view root, const std::vector<char>& nullable_rules) {
  return Builder(ast, nullable_rules).build(root);
}

}  // namespace slm::grammar
