// A compiled grammar: every rule is a byte-level automaton (code-point classes are
// already split into UTF-8 byte ranges), with edges that consume a byte and edges that
// call another rule. Immutable after compile_gbnf, so one Grammar can be shared by any
// number of matchers and threads (the only mutable part is its token-mask caches).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

namespace slm::grammar {

class MaskCache;
class Vocabulary;

inline constexpr uint32_t kNoNode = UINT32_MAX;

struct ByteEdge {
  uint8_t lo;
  uint8_t hi;
  uint32_t to;
};

// Enter the rule whose automaton starts at `start`; when it finishes, go on at `ret`, or
// when `ret` is kNoNode (a tail call: the calling rule ends with it), finish the calling
// rule too.
struct RuleCall {
  uint32_t start;
  uint32_t ret;
};

// The copies of one bounded repeat X{min,max} (or X{min,}) whose item X never matches
// the empty string and holds no repeat of its own: the unrolled automaton has a copy of
// X's states per repetition, which differ only in how far they are from `min` and `max`.
// Every copy has `states` places; see Grammar::equivalent_node.
struct RepeatCopies {
  static constexpr uint32_t kUnbounded = UINT32_MAX;
  uint32_t min;
  uint32_t max;     // kUnbounded for X{min,}: then only the `min` mandatory copies are tracked
  uint32_t copies;  // tracked copies
  uint32_t states;  // places per copy
  uint32_t first;   // index of copy 0's first place in Grammar::Parts::repeat_nodes
};

// Limits that keep compilation bounded: past them compile_gbnf throws slm::Error.
inline constexpr size_t kMaxGrammarNodes = 1u << 20;
inline constexpr size_t kMaxGrammarEdges = 4u << 20;

class Grammar {
 public:
  struct Parts {
    std::vector<uint32_t> edge_begin;  // node count + 1 offsets into edges
    std::vector<ByteEdge> edges;
    std::vector<uint32_t> call_begin;  // node count + 1 offsets into calls
    std::vector<RuleCall> calls;
    std::vector<uint8_t> is_final;     // the node's rule may end here
    uint32_t root_start = 0;
    size_t rule_count = 0;
    // Long bounded repeats, by `first`; repeat_nodes[place]: the node at that place (or
    // kNoNode); repeat_place[node]: the node's place (or kNoNode), empty when there are none.
    std::vector<RepeatCopies> repeats;
    std::vector<uint32_t> repeat_nodes;
    std::vector<uint32_t> repeat_place;
  };
  explicit Grammar(Parts parts) : p_(std::move(parts)) {}

  uint32_t root_start() const { return p_.root_start; }
  size_t node_count() const { return p_.is_final.size(); }
  size_t rule_count() const { return p_.rule_count; }
  std::span<const ByteEdge> byte_edges(uint32_t node) const {
    return {p_.edges.data() + p_.edge_begin[node], p_.edges.data() + p_.edge_begin[node + 1]};
  }
  std::span<const RuleCall> calls(uint32_t node) const {
    return {p_.calls.data() + p_.call_begin[node], p_.calls.data() + p_.call_begin[node + 1]};
  }
  bool is_final(uint32_t node) const { return p_.is_final[node] != 0; }
  // A node that no byte string starting at most `horizon` characters (starts_char in
  // byte_labels.h) tells apart from `node`, the same for all nodes that are alike that
  // far: inside a long bounded repeat, the same place in the copy chosen to stand for
  // all copies whose distances to the repeat's `min` and `max` look the same within that
  // horizon. Every copy holds a character start (grammar text is whole UTF-8
  // characters). A mask depends on nothing beyond the vocabulary's longest token, so
  // mask-cache keys made of these serve every copy of a string with maxLength 1000 but
  // its last few.
  uint32_t equivalent_node(uint32_t node, uint32_t horizon) const;

  // The token-mask cache for this grammar and `vocab`, made on first request. Kept here
  // so it lives exactly as long as the compiled grammar (thread-safe).
  std::shared_ptr<MaskCache> mask_cache_for(const std::shared_ptr<const Vocabulary>& vocab) const;

 private:
  Parts p_;
  mutable std::mutex caches_mutex_;
  mutable std::vector<std::pair<std::weak_ptr<const Vocabulary>, std::shared_ptr<MaskCache>>> caches_;
};

// Parses and compiles GBNF (llama.cpp syntax). Throws slm::Error "gbnf line L col C: what"
// for syntax errors, undefined or missing rules, left recursion, rules that can never
// finish, and grammars too large to compile within kMaxGrammarNodes / kMaxGrammarEdges.
std::shared_ptr<const Grammar> compile_gbnf(std::string_view gbnf_text, std::string_view root = "root");

}  // namespace slm::grammar
