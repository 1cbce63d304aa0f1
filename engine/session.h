// A conversation with a model: its own KV cache and the tokens evaluated so far.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/forward.h"
#include "engine/kv_cache.h"
#include "engine/model.h"

namespace slm {

class Session {
 public:
  // n_ctx: positions this session can hold (0: the model's training context, capped).
  explicit Session(const Model& model, int n_ctx = 0, Backend& backend = cpu_backend());

  // Evaluates `tokens` at the next positions. Returns the logits of every token
  // ([n][n_vocab]) when all_logits, else of the last one only ([n_vocab]).
  // Throws slm::Error for an invalid token id or when the context would overflow.
  const std::vector<float>& evaluate(std::span<const int32_t> tokens, bool all_logits);

  // Forgets every position from n on (n <= n_past), e.g. to reuse a shared prefix.
  void truncate(int n);

  // Writes the evaluated tokens and their KV cache to `path`, or restores them into
  // this session (same model, enough context). Throws slm::Error on I/O errors, a file
  // of another model or a corrupt file.
  void save(const std::string& path) const;
  void load(const std::string& path);

  int n_past() const { return n_past_; }
  // The tokens at positions 0..n_past-1.
  const std::vector<int32_t>& history() const { return history_; }
  int n_ctx() const { return cache_.n_ctx(); }
  size_t cache_bytes() const { return cache_.bytes(); }
  const Model& model() const { return model_; }

 private:
  void evaluate_batch(std::span<const int32_t> tokens, bool all_logits, float* logits);

  const Model& model_;
  Backend& backend_;
  KvCache cache_;
  int n_past_ = 0;
  std::vector<int32_t> history_;
  std::vector<float> logits_;
  ForwardScratch scratch_;
};

}  // namespace slm
