// Length analysis of parsed patterns: what lengths a node matches, and the narrowing
// of one repetition so that a pattern also obeys minLength/maxLength.
#include <algorithm>

#include "grammar/regex_ast.h"

namespace slm::grammar::regex {

namespace {

std::optional<size_t> add_max(std::optional<size_t> a, std::optional<size_t> b) {
  if (!a || !b) return std::nullopt;
  return *a + *b;
}

bool fixed_length(const Node& n, size_t* len) {
  const LengthRange r = length_range(n);
  if (!r.max || *r.max != r.min) return false;
  *len = r.min;
  return true;
}

// Tightens the counts of a repetition of a fixed-length item so that the total length,
// `fixed` plus count * item length, lies in [min, max].
std::optional<Node> restrict_repeat(const Node& rep, size_t fixed, size_t min, std::optional<size_t> max) {
  size_t item = 0;
  if (!fixed_length(rep.items[0], &item)) return std::nullopt;
  if (item == 0) return std::nullopt;
  size_t lo = static_cast<size_t>(rep.min);
  std::optional<size_t> hi;
  if (rep.max != kUnbounded) hi = static_cast<size_t>(rep.max);
  if (min > fixed) lo = std::max(lo, (min - fixed + item - 1) / item);
  if (max) {
    if (*max < fixed) return std::nullopt;
    const size_t cap = (*max - fixed) / item;
    hi = hi ? std::min(*hi, cap) : cap;
  }
  if (hi && *hi < lo) return std::nullopt;
  if (lo > 100000 || (hi && *hi > 100000)) return std::nullopt;
  Node out = rep;
  out.min = static_cast<int>(lo);
  out.max = hi ? static_cast<int>(*hi) : kUnbounded;
  return out;
}

bool within(const LengthRange& r, size_t min, std::optional<size_t> max) {
  if (r.min < min) return false;
  if (!max) return true;
  return r.max && *r.max <= *max;
}

}  // namespace

LengthRange length_range(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kChars:
      return {1, 1};
    case Node::Kind::kSequence: {
      LengthRange total{0, size_t{0}};
      for (const Node& item : node.items) {
        const LengthRange r = length_range(item);
        total.min += r.min;
        total.max = add_max(total.max, r.max);
      }
      return total;
    }
    case Node::Kind::kAlternation: {
      LengthRange out{SIZE_MAX, size_t{0}};
      for (const Node& item : node.items) {
        const LengthRange r = length_range(item);
        out.min = std::min(out.min, r.min);
        out.max = (out.max && r.max) ? std::optional<size_t>(std::max(*out.max, *r.max)) : std::nullopt;
      }
      if (node.items.empty()) out.min = 0;
      return out;
    }
    case Node::Kind::kRepeat: {
      const LengthRange r = length_range(node.items[0]);
      LengthRange out{r.min * static_cast<size_t>(node.min), std::nullopt};
      if (node.max != kUnbounded && r.max) out.max = *r.max * static_cast<size_t>(node.max);
      if (r.max && *r.max == 0) out.max = 0;
      return out;
    }
  }
  return {};
}

bool matches_every_string(const Pattern& pattern) {
  for (const Branch& b : pattern.branches)
    if (!(b.anchored_start && b.anchored_end) && length_range(b.body).min == 0) return true;
  return false;
}

std::optional<Node> restrict_length(const Node& node, size_t min, std::optional<size_t> max) {
  const LengthRange r = length_range(node);
  if (within(r, min, max)) return node;
  switch (node.kind) {
    case Node::Kind::kRepeat:
      return restrict_repeat(node, 0, min, max);
    case Node::Kind::kAlternation: {
      Node out = node;
      out.items.clear();
      for (const Node& item : node.items) {
        const LengthRange ir = length_range(item);
        if (ir.min > (max ? *max : SIZE_MAX) || (ir.max && *ir.max < min)) continue;  // cannot fit: drop
        std::optional<Node> narrowed = restrict_length(item, min, max);
        if (!narrowed) return std::nullopt;
        out.items.push_back(std::move(*narrowed));
      }
      if (out.items.empty()) return std::nullopt;
      return out;
    }
    case Node::Kind::kSequence: {
      // Exactly one item may vary in length; the rest fix the remaining budget.
      size_t fixed = 0;
      int variable = -1;
      for (size_t i = 0; i < node.items.size(); ++i) {
        size_t len = 0;
        if (fixed_length(node.items[i], &len)) {
          fixed += len;
        } else if (variable < 0 && node.items[i].kind == Node::Kind::kRepeat) {
          variable = static_cast<int>(i);
        } else {
          return std::nullopt;
        }
      }
      if (variable < 0) return std::nullopt;
      std::optional<Node> narrowed = restrict_repeat(node.items[static_cast<size_t>(variable)], fixed, min, max);
      if (!narrowed) return std::nullopt;
      Node out = node;
      out.items[static_cast<size_t>(variable)] = std::move(*narrowed);
      return out;
    }
    case Node::Kind::kChars:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace slm::grammar::regex
