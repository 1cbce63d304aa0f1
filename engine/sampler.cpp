#include "engine/sampler.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <unordered_map>

namespace slm {

namespace {

// Softmax probabilities of the candidates (sorted by logit, highest first).
std::vector<double> probabilities(const std::vector<float>& logits) {
  std::vector<double> p(logits.size());
  if (logits.empty()) return p;
  const double max = logits.front();
  double sum = 0.0;
  for (size_t i = 0; i < logits.size(); ++i) sum += p[i] = std::exp(static_cast<double>(logits[i]) - max);
  for (double& x : p) x /= sum;
  return p;
}

}  // namespace

Sampler::Sampler(const SamplingParams& params)
    : params_(params), seed_(params.random_seed ? std::random_device{}() : params.seed), rng_(seed_) {}

void Sampler::apply_penalties(std::vector<Candidate>& c, std::span<const int32_t> history) const {
  const bool off = params_.repeat_penalty == 1.0f && params_.frequency_penalty == 0.0f &&
                   params_.presence_penalty == 0.0f;
  if (off || params_.penalty_last_n == 0 || history.empty()) return;
  const size_t n = params_.penalty_last_n < 0 ? history.size()
                                              : std::min(history.size(), static_cast<size_t>(params_.penalty_last_n));
  std::unordered_map<int32_t, int> counts;
  for (const int32_t id : history.subspan(history.size() - n)) ++counts[id];
  for (Candidate& cand : c) {
    const auto it = counts.find(cand.id);
    if (it == counts.end()) continue;
    // Repetition penalty pushes the logit towards "less likely" whatever its sign.
    cand.logit = cand.logit > 0 ? cand.logit / params_.repeat_penalty : cand.logit * params_.repeat_penalty;
    cand.logit -= static_cast<float>(it->second) * params_.frequency_penalty + params_.presence_penalty;
  }
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history,
                        std::span<const uint64_t> allowed) {
  std::vector<Candidate> c;
  c.reserve(logits.size());
  if (allowed.empty()) {
    for (size_t i = 0; i < logits.size(); ++i) c.push_back({static_cast<int32_t>(i), logits[i]});
  } else {
    for (size_t w = 0; w < allowed.size() && w * 64 < logits.size(); ++w) {
      for (uint64_t bits = allowed[w]; bits != 0; bits &= bits - 1) {
        const size_t i = w * 64 + static_cast<size_t>(std::countr_zero(bits));
        if (i < logits.size()) c.push_back({static_cast<int32_t>(i), logits[i]});
      }
    }
  }
  if (c.empty()) return -1;
  apply_penalties(c, history);
  const auto by_logit = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  if (params_.temperature <= 0.0f) return std::min_element(c.begin(), c.end(), by_logit)->id;

  // top-k (sorting the survivors, highest first, which the later steps rely on).
  const size_t k = params_.top_k > 0 ? std::min(c.size(), static_cast<size_t>(params_.top_k)) : c.size();
  std::partial_sort(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(k), c.end(), by_logit);
  c.resize(k);
  std::vector<float> l(c.size());
  for (size_t i = 0; i < c.size(); ++i) l[i] = c[i].logit;

  // top-p: the shortest prefix whose probability reaches p (at least one token).
  if (params_.top_p < 1.0f) {
    const std::vector<double> p = probabilities(l);
    double cum = 0.0;
    size_t keep = p.size();
    for (size_t i = 0; i < p.size(); ++i) {
      cum += p[i];
      if (cum >= params_.top_p) {
        keep = i + 1;
        break;
      }
    }
    c.resize(keep);
    l.resize(keep);
  }
  // min-p: tokens at least min_p times as likely as the best one.
  if (params_.min_p > 0.0f) {
    const float threshold = l.front() + std::log(params_.min_p);
    size_t keep = 1;
    while (keep < l.size() && l[keep] >= threshold) ++keep;
    c.resize(keep);
    l.resize(keep);
  }
  for (float& x : l) x /= params_.temperature;
  const std::vector<double> p = probabilities(l);
  std::discrete_distribution<size_t> pick(p.begin(), p.end());
  return c[pick(rng_)].id;
}

}  // namespace slm
