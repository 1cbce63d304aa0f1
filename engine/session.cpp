#include "engine/session.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/architecture.h"
#include "slm/error.h"

namespace slm {

namespace {

constexpr int kDefaultMaxContext = 8192;  // a sensible cap when the caller does not choose
constexpr int64_t kBatch = 512;           // tokens per forward pass (bounds scratch memory)

}  // namespace

Session::Session(const Model& model, int n_ctx, Backend& backend)
    : model_(model),
      backend_(backend),
      cache_(model.config(), n_ctx > 0 ? n_ctx : std::min(model.config().n_ctx_train, kDefaultMaxContext)) {}

void Session::truncate(int n) {
  if (n < 0 || n > n_past_) throw Error("truncate: position " + std::to_string(n) + " is past the " + std::to_string(n_past_) + " evaluated tokens");
  n_past_ = n;
  history_.resize(static_cast<size_t>(n));
}

const std::vector<float>& Session::evaluate(std::span<const int32_t> tokens, bool all_logits) {
  const ModelConfig& c = model_.config();
  for (const int32_t id : tokens) {
    if (id < 0 || id >= c.n_vocab) {
      throw Error("token id " + std::to_string(id) + " is outside the vocabulary (0.." + std::to_string(c.n_vocab - 1) + ")");
    }
  }
  if (static_cast<int64_t>(n_past_) + static_cast<int64_t>(tokens.size()) > cache_.n_ctx()) {
    throw Error("context overflow: " + std::to_string(n_past_) + " + " + std::to_string(tokens.size()) +
                " tokens exceed the context of " + std::to_string(cache_.n_ctx()));
  }
  const auto n = static_cast<int64_t>(tokens.size());
  // Every row is written below (all rows, or the last token's), so no clearing.
  logits_.resize(static_cast<size_t>((all_logits ? n : 1) * c.n_vocab));
  for (int64_t start = 0; start < n; start += kBatch) {
    const int64_t count = std::min(kBatch, n - start);
    const bool last_batch = start + count == n;
    if (!all_logits && !last_batch) {
      evaluate_batch(tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(count)), false, nullptr);
    } else {
      float* out = logits_.data() + (all_logits ? start * c.n_vocab : 0);
      evaluate_batch(tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(count)), all_logits, out);
    }
  }
  return logits_;
}

// One forward pass; logits (if not null) get every token's row, or the last one's.
void Session::evaluate_batch(std::span<const int32_t> tokens, bool all_logits, float* logits) {
  const ModelConfig& c = model_.config();
  const ModelWeights& w = model_.weights();
  const auto n = static_cast<int64_t>(tokens.size());
  std::vector<int32_t> positions(static_cast<size_t>(n));
  for (int64_t t = 0; t < n; ++t) positions[t] = n_past_ + static_cast<int32_t>(t);

  ForwardPass pass(c, w, backend_, cache_, scratch_, positions.data(), n);
  for (int64_t t = 0; t < n; ++t) {
    float* row = pass.x.data() + t * c.n_embd;
    matrix_row(w.token_embd, tokens[t], row);
    if (c.embed_scale != 1.0f) {
      for (int64_t i = 0; i < c.n_embd; ++i) row[i] *= c.embed_scale;
    }
  }
  const Architecture& arch = architecture(c.arch);
  for (int il = 0; il < c.n_layer; ++il) arch.forward_layer(pass, il);
  n_past_ += static_cast<int>(n);
  history_.insert(history_.end(), tokens.begin(), tokens.end());
  if (logits == nullptr) return;

  // Only the rows whose logits are wanted go through the output norm and projection.
  const int64_t first = all_logits ? 0 : n - 1;
  const int64_t rows = n - first;
  std::vector<float> h(pass.x.begin() + first * c.n_embd, pass.x.end());
  backend_.rms_norm(h.data(), w.output_norm.data(), c.n_embd, rows, c.rms_eps);
  backend_.matmul(w.output, h.data(), rows, logits);
  if (c.final_logit_softcap > 0.0f) {
    const float cap = c.final_logit_softcap;
    for (int64_t i = 0; i < rows * c.n_vocab; ++i) logits[i] = cap * std::tanh(logits[i] / cap);
  }
}

}  // namespace slm
