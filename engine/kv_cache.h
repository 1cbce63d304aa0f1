// Per-session attention memory: keys and values of every past position of every
// layer, stored as f16 (as llama.cpp's default cache type).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/model_config.h"

namespace slm {

class KvCache {
 public:
  KvCache(const ModelConfig& config, int n_ctx);

  int n_ctx() const { return n_ctx_; }
  // Row of one position: n_head_kv * head_dim values.
  uint16_t* k(int il, int pos) { return k_[il].data() + static_cast<size_t>(pos) * k_width_[il]; }
  uint16_t* v(int il, int pos) { return v_[il].data() + static_cast<size_t>(pos) * v_width_[il]; }
  const uint16_t* k(int il, int pos) const { return k_[il].data() + static_cast<size_t>(pos) * k_width_[il]; }
  const uint16_t* v(int il, int pos) const { return v_[il].data() + static_cast<size_t>(pos) * v_width_[il]; }
  size_t bytes() const;
  int n_layer() const { return static_cast<int>(k_.size()); }
  size_t k_width(int il) const { return k_width_[il]; }
  size_t v_width(int il) const { return v_width_[il]; }

 private:
  int n_ctx_;
  std::vector<size_t> k_width_, v_width_;
  std::vector<std::vector<uint16_t>> k_, v_;
};

}  // namespace slm
