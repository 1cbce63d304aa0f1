#include "grammar/grammar.h"

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

std::shared_ptr<const Grammar> compile_gbnf(std::string_view gbnf_text, std::string_view root) {
  const GbnfAst ast = parse_gbnf(gbnf_text);
  check_grammar(ast);
  return std::make_shared<const Grammar>(build_automaton(ast, root));
}

}  // namespace slm::grammar
