// Cutting special tokens out of the text before tokenization.
//
// llama.cpp takes the special tokens one at a time, longest text first, and splits every
// remaining raw-text fragment at each non-overlapping occurrence (left to right) of that
// token. The result depends on that priority order, not on leftmost-longest matching.
// Here all occurrences are found in one pass over a trie, then accepted in the same
// priority order: an occurrence is taken when it lies inside a remaining fragment and
// does not overlap the previous occurrence of the same token.
#include <algorithm>
#include <map>

#include "tokenizer/internal.h"

namespace slm::tok {

int32_t SpecialMatcher::child(int32_t node, uint8_t b) const {
  for (int32_t c = nodes_[node].first_child; c != -1; c = nodes_[c].next_sibling) {
    if (nodes_[c].byte == b) return c;
  }
  return -1;
}

void SpecialMatcher::build(const std::vector<int32_t>& ids_by_priority, const StringArena& texts,
                           const std::vector<uint32_t>& /*attrs*/) {
  nodes_.clear();
  root_.fill(-1);
  priority_.clear();
  for (size_t rank = 0; rank < ids_by_priority.size(); ++rank) {
    const int32_t id = ids_by_priority[rank];
    const std::string_view s = texts[id];
    if (s.empty()) continue;
    priority_[id] = static_cast<int32_t>(rank);
    int32_t node = root_[static_cast<uint8_t>(s[0])];
    if (node == -1) {
      node = static_cast<int32_t>(nodes_.size());
      nodes_.push_back(Node{});
      nodes_.back().byte = static_cast<uint8_t>(s[0]);
      root_[static_cast<uint8_t>(s[0])] = node;
    }
    for (size_t k = 1; k < s.size(); ++k) {
      const uint8_t b = static_cast<uint8_t>(s[k]);
      int32_t next = child(node, b);
      if (next == -1) {
        next = static_cast<int32_t>(nodes_.size());
        Node fresh;
        fresh.byte = b;
        fresh.next_sibling = nodes_[node].first_child;
        nodes_.push_back(fresh);
        nodes_[node].first_child = next;
      }
      node = next;
    }
    nodes_[node].token = id;
  }
}

namespace {

bool c_isspace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

struct Occurrence {
  int32_t priority;
  int32_t token;
  size_t begin;
  size_t end;
};

}  // namespace

void SpecialMatcher::partition(std::string_view text, bool parse_special, const std::vector<uint32_t>& attrs,
                               const StringArena& /*texts*/, std::vector<Fragment>& out) const {
  out.clear();
  if (text.empty()) return;
  const auto active = [&](int32_t id) {
    return parse_special || (attrs[id] & (token_attr::kControl | token_attr::kUnknown)) == 0;
  };
  std::vector<Occurrence> occ;
  if (!nodes_.empty()) {
    const auto* s = reinterpret_cast<const uint8_t*>(text.data());
    for (size_t i = 0; i < text.size(); ++i) {
      int32_t node = root_[s[i]];
      size_t j = i + 1;
      while (node != -1) {
        const int32_t tok = nodes_[node].token;
        if (tok != -1 && active(tok)) occ.push_back({priority_.at(tok), tok, i, j});
        if (j >= text.size()) break;
        node = child(node, s[j]);
        ++j;
      }
    }
  }
  if (occ.empty()) {
    out.push_back({false, -1, 0, text.size()});
    return;
  }
  std::sort(occ.begin(), occ.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.begin < b.begin;
  });

  struct Region {
    size_t end;
    int32_t token;  // -1: stripped whitespace
  };
  std::map<size_t, Region> taken;  // begin -> region
  auto overlaps = [&](size_t b, size_t e) {
    auto it = taken.upper_bound(b);
    if (it != taken.begin() && std::prev(it)->second.end > b) return true;
    return it != taken.end() && it->first < e;
  };
  auto fragment_begin = [&](size_t pos) {  // start of the raw fragment holding pos
    auto it = taken.upper_bound(pos);
    return it == taken.begin() ? size_t{0} : std::prev(it)->second.end;
  };
  auto fragment_end = [&](size_t pos) {
    auto it = taken.lower_bound(pos);
    return it == taken.end() ? text.size() : it->first;
  };

  size_t next_allowed = 0;
  int32_t current = -1;
  for (const Occurrence& o : occ) {
    if (o.token != current) {
      current = o.token;
      next_allowed = 0;
    }
    if (o.begin < next_allowed || overlaps(o.begin, o.end)) continue;
    const uint32_t a = attrs[o.token];
    size_t left = o.begin;
    if (a & token_attr::kLStrip) {
      const size_t lim = fragment_begin(o.begin);
      while (left > lim && c_isspace(text[left - 1])) --left;
    }
    size_t right = o.end;
    if (a & token_attr::kRStrip) {
      const size_t lim = fragment_end(o.end);
      while (right < lim && c_isspace(text[right])) ++right;
    }
    if (left < o.begin) taken[left] = Region{o.begin, -1};
    taken[o.begin] = Region{o.end, o.token};
    if (right > o.end) taken[o.end] = Region{right, -1};
    next_allowed = right;
  }

  size_t pos = 0;
  for (const auto& [begin, region] : taken) {
    if (begin > pos) out.push_back({false, -1, pos, begin});
    if (region.token >= 0) out.push_back({true, region.token, begin, region.end});
    pos = region.end;
  }
  if (pos < text.size()) out.push_back({false, -1, pos, text.size()});
}

}  // namespace slm::tok
