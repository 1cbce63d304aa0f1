// Constrained decoding state for one sequence: which tokens may come next under a
// grammar. The state is a set of parser stacks over the grammar's byte automaton;
// accepted tokens are kept as a history of states so rollback is cheap. With a grammar
// too ambiguous to track (see kMaxStacks) the calls that step throw slm::Error and leave
// the state unchanged.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/mask_cache.h"
#include "grammar/stack_pool.h"
#include "grammar/vocabulary.h"

namespace slm::grammar {

class Matcher {
 public:
  Matcher(std::shared_ptr<const Grammar> g, std::shared_ptr<const Vocabulary> v);

  // false: the token is not allowed now and the state is unchanged. An EOG token is
  // accepted only when is_complete(), and then terminates the matcher.
  bool accept_token(TokenId id);
  // Takes raw bytes as one history step (rollback(1) undoes them). false: rejected,
  // state unchanged.
  bool accept_bytes(std::string_view bytes);
  // Whether accept_bytes(bytes) would succeed, without changing the state.
  bool can_accept_bytes(std::string_view bytes) const;
  // Sets bit i (of bits[i / 64], bit i % 64) exactly when token i is allowed now.
  // bits must hold at least vocabulary-size bits; throws slm::Error otherwise.
  void fill_mask(std::span<uint64_t> bits) const;
  // Undoes the last n accept_token / accept_bytes steps; throws slm::Error when fewer
  // than n were taken since the start or reset().
  void rollback(size_t n_tokens);
  bool is_complete() const;
  bool is_terminated() const { return history_.back().terminated; }
  // The longest byte string that every continuation of the current state starts with.
  std::string forced_bytes() const;
  void reset();

  size_t history_size() const { return history_.size() - 1; }
  const Vocabulary& vocabulary() const { return *vocab_; }

 private:
  struct State {
    StackSet stacks;
    size_t pool_size;  // frames in use by this and earlier states
    bool terminated;
  };
  const StackSet& stacks() const { return history_.back().stacks; }
  StackKey key_of(uint32_t frame) const;

  std::shared_ptr<const Grammar> grammar_;
  std::shared_ptr<const Vocabulary> vocab_;
  std::shared_ptr<MaskCache> cache_;
  // The pool also holds scratch frames while a const query runs; they are dropped
  // before it returns, so the observable state never changes.
  mutable StackPool pool_;
  mutable Stepper stepper_;
  std::vector<State> history_;
};

}  // namespace slm::grammar
