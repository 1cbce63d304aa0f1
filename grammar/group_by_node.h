// Items of a graph (edges, calls) put in order of the node they belong to, in one array
// rather than a vector per node.
#pragma once

#include <cstdint>
#include <vector>

namespace slm::grammar {

// Sorts `items` by key(item), a node below `nodes`, keeping their order within a node;
// returns offsets: the items of node v are items[begin[v]] .. items[begin[v + 1] - 1].
template <typename Item, typename Key>
std::vector<uint32_t> group_by_node(std::vector<Item>& items, size_t nodes, Key key) {
  std::vector<uint32_t> begin(nodes + 1, 0);
  for (const Item& it : items) ++begin[key(it) + 1];
  for (size_t v = 0; v < nodes; ++v) begin[v + 1] += begin[v];
  std::vector<Item> sorted(items.size());
  std::vector<uint32_t> fill(begin.begin(), begin.end() - 1);
  for (const Item& it : items) sorted[fill[key(it)]++] = it;
  items = std::move(sorted);
  return begin;
}

}  // namespace slm::grammar
