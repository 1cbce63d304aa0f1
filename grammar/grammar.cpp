#include "grammar/grammar.h"

#include <algorithm>

#include "grammar/automaton_builder.h"
#include "grammar/gbnf_ast.h"
#include "grammar/grammar_checks.h"
#include "grammar/mask_cache.h"

namespace slm::grammar {

std::shared_ptr<MaskCache> Grammar::mask_cache_for(const std::shared_ptr<const Vocabulary>& vocab) const {
  std::lock_guard lock(caches_mutex_);
  // Caches of vocabularies that no longer exist are dropped (their entries are useless).
  std::erase_if(caches_, [](const auto& c) { return c.first.expired(); });
  for (const auto& [v, cache] : caches_) {
    if (v.lock() == vocab) return cache;
  }
  caches_.emplace_back(vocab, std::make_shared<MaskCache>());
  return caches_.back().second;
}

uint32_t Grammar::equivalent_node(uint32_t node, uint32_t horizon) const {
  if (p_.repeat_place.empty() || p_.repeat_place[node] == kNoNode) return node;
  const uint32_t place = p_.repeat_place[node];
  const RepeatCopies& r =
      *(std::upper_bound(p_.repeats.begin(), p_.repeats.end(), place,
                         [](uint32_t p, const RepeatCopies& x) { return p < x.first; }) - 1);
  const uint32_t copy = (place - r.first) / r.states;
  const uint32_t offset = (place - r.first) % r.states;
  // Within copy c, strings of at most `horizon` starts finish at most horizon + 1 copies
  // (every copy takes a start, the current one perhaps none): after each they may stop
  // when c + t + 1 >= min and go on when c + t + 1 < max, t = 0..horizon. Copies agree on
  // all of that when min - c - 1 and max - c - 1 agree once clamped to [0, horizon + 1].
  const uint64_t reach = uint64_t{horizon} + 2;
  uint32_t twin = copy;
  if (copy + reach <= r.min) {
    twin = static_cast<uint32_t>(r.min - reach);  // far before min (and so before max)
  } else if (copy + 1 >= r.min && r.max != RepeatCopies::kUnbounded && r.max - copy >= reach) {
    twin = std::max<uint32_t>(r.min, 1) - 1;  // past min, far before max
  }
  const uint32_t twin_node = p_.repeat_nodes[r.first + twin * r.states + offset];
  return twin_node == kNoNode ? node : twin_node;
}

std::shared_ptr<const Grammar> compile_parsed(const GbnfAst& ast, std::string_view root) {
  const std::vector<char> nullable = check_grammar(ast);
  return std::make_shared<const Grammar>(build_automaton(ast, root, nullable));
}

std::shared_ptr<const Grammar> compile_gbnf(std::string_view gbnf_text, std::string_view root) {
  return compile_parsed(parse_gbnf(gbnf_text), root);
}

}  // namespace slm::grammar
