#include "engine/repack.h"

#include <chrono>
#include <cstring>
#include <map>

#include "kernels/interleaved.h"
#include "kernels/vec_dot.h"
#include "loader/mapped_file.h"
#include "slm/error.h"

namespace slm {

namespace {

bool repacking_enabled() {
  const char* v = std::getenv("SLM_REPACK");
  return v == nullptr || std::strcmp(v, "0") != 0;
}

std::vector<MatrixView*> all_matrices(ModelWeights& w) {
  std::vector<MatrixView*> out{&w.token_embd, &w.output};
  for (LayerWeights& l : w.layers) {
    for (std::optional<MatrixView>* m : {&l.wq, &l.wk, &l.wv, &l.wqkv, &l.ffn_gate}) {
      if (m->has_value()) out.push_back(&m->value());
    }
    for (MatrixView* m : {&l.wo, &l.ffn_up, &l.ffn_down}) out.push_back(m);
  }
  return out;
}

bool worth_repacking(const MatrixView& m) {
  const VecDotKernel* kernel = active_vec_dot_table().find(m.type);
  return m.layout == MatrixLayout::kRows && interleavable(m.type) && kernel != nullptr &&
         kernel->interleaved != nullptr;
}

}  // namespace

RepackedWeights repack_weights(ModelWeights& weights) {
  RepackedWeights out;
  if (!repacking_enabled()) return out;
  const auto start = std::chrono::steady_clock::now();
  std::map<const uint8_t*, MatrixView> done;  // by source, for tied matrices
  for (MatrixView* m : all_matrices(weights)) {
    if (const auto it = done.find(m->data); it != done.end()) {
      *m = it->second;
      continue;
    }
    if (!worth_repacking(*m)) continue;
    const size_t bytes = static_cast<size_t>(m->n_rows) * m->row_bytes;
    constexpr size_t kAlign = 64;  // cache lines: the kernels load 64 bytes at a time
    auto* buffer = static_cast<uint8_t*>(std::aligned_alloc(kAlign, (bytes + kAlign - 1) / kAlign * kAlign));
    if (buffer == nullptr) throw Error("repack: out of memory for " + std::to_string(bytes) + " bytes");
    out.buffers.emplace_back(buffer);
    const MatrixView packed = interleave(*m, buffer, release_mapped_pages);
    done.emplace(m->data, packed);
    *m = packed;
    ++out.matrices;
    out.bytes += bytes;
  }
  out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace slm
