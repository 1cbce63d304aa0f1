#include "engine/repack.h"

#include <sys/mman.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "kernels/interleaved.h"
#include "kernels/vec_dot.h"
#include "loader/mapped_file.h"
#include "slm/error.h"

namespace slm {

void UnmapBytes::operator()(uint8_t* p) const { ::munmap(p, size); }

namespace {

constexpr size_t kMatrixAlign = 64;  // cache lines: the kernels load 64 bytes at a time

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

size_t matrix_bytes(const MatrixView& m) { return static_cast<size_t>(m.n_rows) * m.row_bytes; }

// One anonymous mapping for all the copies, with transparent huge pages where the
// system allows them: a few thousand page faults fewer per 100 MiB at load, and fewer
// TLB misses while decoding streams the weights.
std::unique_ptr<uint8_t, UnmapBytes> map_arena(size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw Error("repack: cannot allocate " + std::to_string(bytes) + " bytes");
  ::madvise(p, bytes, MADV_HUGEPAGE);  // advice only
  return std::unique_ptr<uint8_t, UnmapBytes>(static_cast<uint8_t*>(p), UnmapBytes{bytes});
}

}  // namespace

RepackedWeights repack_weights(ModelWeights& weights) {
  RepackedWeights out;
  if (!repacking_enabled()) return out;
  const auto start = std::chrono::steady_clock::now();
  // Each distinct source matrix once (a tied output matrix is the embedding matrix), at
  // its offset in the arena.
  std::map<const uint8_t*, size_t> offsets;
  std::vector<MatrixView*> to_repack;
  size_t total = 0;
  for (MatrixView* m : all_matrices(weights)) {
    if (!worth_repacking(*m)) continue;
    to_repack.push_back(m);
    if (offsets.emplace(m->data, total).second) {
      total += (matrix_bytes(*m) + kMatrixAlign - 1) / kMatrixAlign * kMatrixAlign;
    }
  }
  if (total == 0) return out;
  out.arena = map_arena(total);
  std::map<const uint8_t*, MatrixView> done;
  for (MatrixView* m : to_repack) {
    const auto it = done.find(m->data);
    if (it != done.end()) {
      *m = it->second;
      continue;
    }
    const MatrixView packed = interleave(*m, out.arena.get() + offsets.at(m->data), release_mapped_pages);
    done.emplace(m->data, packed);
    ++out.matrices;
    out.bytes += matrix_bytes(*m);
    *m = packed;
  }
  out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace slm
