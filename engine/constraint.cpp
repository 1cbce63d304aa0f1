#include "engine/constraint.h"

#include <list>
#include <mutex>
#include <unordered_map>

#include "grammar/regex.h"
#include "slm/error.h"

namespace slm {

namespace {

// A small LRU of compiled grammars keyed by everything that determines them.
class GrammarCache {
 public:
  std::shared_ptr<const grammar::Grammar> get(const std::string& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);  // most recently used first
    return it->second->second;
  }

  void put(const std::string& key, std::shared_ptr<const grammar::Grammar> g) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (index_.count(key) != 0) return;
    entries_.emplace_front(key, std::move(g));
    index_[key] = entries_.begin();
    if (entries_.size() > kCapacity) {
      index_.erase(entries_.back().first);
      entries_.pop_back();
    }
  }

 private:
  static constexpr size_t kCapacity = 64;
  std::mutex mutex_;
  std::list<std::pair<std::string, std::shared_ptr<const grammar::Grammar>>> entries_;
  std::unordered_map<std::string, decltype(entries_)::iterator> index_;
};

GrammarCache& cache() {
  static GrammarCache c;
  return c;
}

grammar::ToolFormat tool_format(const ConstraintOptions& o, const ConstraintTarget& target) {
  if (o.tool_format.empty()) return grammar::detect_tool_format(target.chat_template, target.architecture);
  const std::optional<grammar::ToolFormat> f = grammar::tool_format_from_name(o.tool_format);
  if (!f) throw Error("unknown tool-call format '" + o.tool_format + "' (hermes, llama3, python or json)");
  return *f;
}

}  // namespace

ConstraintGbnf constraint_to_gbnf(ConstraintKind kind, std::string_view text, const ConstraintOptions& options,
                                  const ConstraintTarget& target) {
  switch (kind) {
    case ConstraintKind::kGrammar: return {std::string(text)};
    case ConstraintKind::kJsonSchema: return {grammar::json_schema_text_to_gbnf(text, options.json)};
    // A regex constraint describes the whole output; regex_to_gbnf searches like JSON
    // Schema's "pattern" unless anchored.
    case ConstraintKind::kRegex: return {grammar::regex_to_gbnf("^(?:" + std::string(text) + ")$")};
    case ConstraintKind::kTools: {
      grammar::ToolCallOptions t;
      t.format = tool_format(options, target);
      t.tool_choice = options.tool_choice;
      t.parallel = options.parallel_tool_calls;
      t.json = options.json;
      grammar::ToolGrammar g = grammar::tool_calls_to_gbnf(text, t);
      return {std::move(g.gbnf), std::move(g.root)};
    }
  }
  throw Error("unknown constraint kind");
}

std::shared_ptr<const grammar::Grammar> compile_constraint(ConstraintKind kind, std::string_view text,
                                                           const ConstraintOptions& options,
                                                           const ConstraintTarget& target) {
  // Everything the compiled grammar depends on, with lengths so no two keys collide.
  std::string key = std::to_string(static_cast<int>(kind)) + "|" + std::to_string(options.json.allow_additional_properties) +
                    std::to_string(options.json.compact) + "|" + std::to_string(options.json.max_whitespace) + "|" +
                    std::to_string(options.parallel_tool_calls) + "|" + std::to_string(options.tool_choice.size()) + ":" +
                    options.tool_choice + "|";
  if (kind == ConstraintKind::kTools) key += std::string(grammar::tool_format_name(tool_format(options, target))) + "|";
  key += text;
  if (std::shared_ptr<const grammar::Grammar> hit = cache().get(key)) return hit;
  std::shared_ptr<const grammar::Grammar> g;
  if (kind == ConstraintKind::kJsonSchema) {
    g = grammar::compile_json_schema(text, options.json);  // the same grammar, without all of it as text
  } else {
    const ConstraintGbnf gbnf = constraint_to_gbnf(kind, text, options, target);
    g = grammar::compile_gbnf(gbnf.text, gbnf.root);
  }
  cache().put(key, g);
  return g;
}

}  // namespace slm
