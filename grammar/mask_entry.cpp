#include "grammar/mask_entry.h"

#include <utility>

namespace slm::grammar {

std::shared_ptr<const MaskEntry> SharedMaskEntries::find(const std::string& content, bool only_to_derive) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(content);
  if (it == entries_.end() || (it->second->too_broad && !only_to_derive)) return nullptr;
  return it->second;
}

void SharedMaskEntries::add(std::string content, std::shared_ptr<const MaskEntry> entry) {
  const size_t cost = content.size() + entry->accepted.size() * sizeof(uint64_t) +
                      entry->context_dependent.size() * sizeof(TokenId);
  std::lock_guard lock(mutex_);
  if (bytes_ + cost > kBudgetBytes) {
    entries_.clear();
    bytes_ = 0;
  }
  // A full entry replaces a too-broad placeholder; the placeholder cost next to nothing.
  if (auto [it, added] = entries_.try_emplace(std::move(content), entry); added || it->second->too_broad) {
    it->second = std::move(entry);
    bytes_ += cost;
  }
}

}  // namespace slm::grammar
