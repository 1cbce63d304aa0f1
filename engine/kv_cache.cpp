#include "engine/kv_cache.h"

namespace slm {

KvCache::KvCache(const ModelConfig& config, int n_ctx) : n_ctx_(n_ctx) {
  for (const LayerConfig& l : config.layers) {
    k_width_.push_back(static_cast<size_t>(l.n_head_kv) * config.head_dim_k);
    v_width_.push_back(static_cast<size_t>(l.n_head_kv) * config.head_dim_v);
    k_.emplace_back(k_width_.back() * n_ctx);
    v_.emplace_back(v_width_.back() * n_ctx);
  }
}

size_t KvCache::bytes() const {
  size_t total = 0;
  for (size_t il = 0; il < k_.size(); ++il) total += (k_[il].size() + v_[il].size()) * sizeof(uint16_t);
  return total;
}

}  // namespace slm
