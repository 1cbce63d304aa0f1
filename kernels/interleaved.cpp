#include "kernels/interleaved.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "kernels/interleaved_k.h"
#include "slm/error.h"

namespace slm {

namespace {

constexpr size_t kFieldBytes = 2;  // an f16 scale field
constexpr size_t kGroupFieldBytes = kFieldBytes * kInterleaveRows;

// The f16 fields that start every block: d, and Q4_1's and Q5_1's m.
int scale_fields(GgmlType type) { return type == GgmlType::Q4_1 || type == GgmlType::Q5_1 ? 2 : 1; }

// Where scale field f of row `row` of the group's block gb goes among the scales.
size_t scale_offset(const InterleavedParts& p, size_t gb, int f, int row) {
  return gb * kGroupFieldBytes * p.scale_fields + f * kGroupFieldBytes + static_cast<size_t>(row) * kFieldBytes;
}

}  // namespace

bool interleavable(GgmlType type) {
  switch (type) {
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::IQ4_NL: return true;
    default: return interleavable_k(type);
  }
}

InterleavedParts interleaved_parts(const MatrixView& w) {
  if (interleavable_k(w.type)) return interleaved_k_parts(w);
  InterleavedParts p{};
  p.n_groups = w.n_rows / kInterleaveRows;
  p.n_blocks = w.n_cols / ggml_type_info(w.type).block_elems;
  p.scale_fields = scale_fields(w.type);
  p.qs_bytes = ggml_type_info(w.type).block_bytes - kFieldBytes * p.scale_fields;
  p.group_qs_bytes = static_cast<size_t>(p.n_blocks) * kInterleaveRows * p.qs_bytes;
  p.group_scales_bytes = static_cast<size_t>(p.n_blocks) * kGroupFieldBytes * p.scale_fields;
  const size_t all_qs = static_cast<size_t>(p.n_groups) * p.group_qs_bytes;
  const size_t all_scales = static_cast<size_t>(p.n_groups) * p.group_scales_bytes;
  p.qs = w.data;
  p.scales = w.data + all_qs;
  p.tail = w.data + all_qs + all_scales;
  return p;
}

void interleave_groups(const MatrixView& rows, const InterleavedParts& p, uint8_t* out, SourceDoneFn done,
                       const std::function<void(int64_t g, int i, int64_t b, const uint8_t* block)>& pack_block) {
  const size_t group_bytes = kInterleaveRows * rows.row_bytes;
  const size_t block_bytes = ggml_type_info(rows.type).block_bytes;
  // Slabs bound what is resident twice (source and copy) when `done` releases sources.
  constexpr size_t kSlabBytes = size_t{8} << 20;
  const int64_t slab_groups = std::max<int64_t>(1, static_cast<int64_t>(kSlabBytes / group_bytes));
  for (int64_t g0 = 0; g0 < p.n_groups; g0 += slab_groups) {
    const int64_t g1 = std::min(p.n_groups, g0 + slab_groups);
    // Threads only for slabs worth waking them: most matrices of small models are a few
    // hundred KiB, and a parallel region per matrix costs more than it saves when the
    // cores are shared.
    constexpr int64_t kParallelBytes = int64_t{1} << 20;
#pragma omp parallel for schedule(static) if ((g1 - g0) * static_cast<int64_t>(group_bytes) >= kParallelBytes)
    for (int64_t g = g0; g < g1; ++g) {
      for (int i = 0; i < kInterleaveRows; ++i) {
        const uint8_t* row = rows.data + static_cast<size_t>(g * kInterleaveRows + i) * rows.row_bytes;
        for (int64_t b = 0; b < p.n_blocks; ++b) pack_block(g, i, b, row + static_cast<size_t>(b) * block_bytes);
      }
    }
    if (done != nullptr) done(rows.data + static_cast<size_t>(g0) * group_bytes, static_cast<size_t>(g1 - g0) * group_bytes);
  }
  const size_t tail_bytes = static_cast<size_t>(rows.n_rows - p.n_groups * kInterleaveRows) * rows.row_bytes;
  const uint8_t* tail = rows.data + static_cast<size_t>(p.n_groups) * group_bytes;
  std::memcpy(out + (p.tail - p.qs), tail, tail_bytes);
  if (done != nullptr) done(tail, tail_bytes);
}

MatrixView interleave(const MatrixView& rows, uint8_t* out, SourceDoneFn done) {
  if (!interleavable(rows.type) || rows.layout != MatrixLayout::kRows) {
    throw Error(std::string("interleave: cannot interleave a matrix of type ") + ggml_type_name(rows.type));
  }
  if (interleavable_k(rows.type)) return interleave_k(rows, out, done);
  const MatrixView packed{rows.type, out, rows.n_cols, rows.n_rows, rows.row_bytes, MatrixLayout::kInterleaved};
  const InterleavedParts p = interleaved_parts(packed);
  uint8_t* const scales = out + (p.scales - packed.data);
  interleave_groups(rows, p, out, done, [&](int64_t g, int i, int64_t b, const uint8_t* block) {
    const auto gb = static_cast<size_t>(g * p.n_blocks + b);
    for (int f = 0; f < p.scale_fields; ++f) {
      std::memcpy(scales + scale_offset(p, gb, f, i), block + f * kFieldBytes, kFieldBytes);
    }
    const uint8_t* block_levels = block + kFieldBytes * p.scale_fields;
    uint8_t* levels = out + gb * kInterleaveRows * p.qs_bytes;
    for (size_t c = 0; c < p.qs_bytes; c += kInterleaveChunk) {
      std::memcpy(levels + interleaved_chunk_offset(c, i), block_levels + c, kInterleaveChunk);
    }
  });
  return packed;
}

void interleaved_row(const MatrixView& w, int64_t r, uint8_t* out) {
  const InterleavedParts p = interleaved_parts(w);
  const int64_t g = r / kInterleaveRows;
  if (g >= p.n_groups) {
    std::memcpy(out, p.tail + static_cast<size_t>(r - p.n_groups * kInterleaveRows) * w.row_bytes, w.row_bytes);
    return;
  }
  const int i = static_cast<int>(r % kInterleaveRows);
  if (interleavable_k(w.type)) return interleaved_k_row(p, w.type, g, i, out);
  const size_t block_bytes = ggml_type_info(w.type).block_bytes;
  for (int64_t b = 0; b < p.n_blocks; ++b) {
    uint8_t* block = out + static_cast<size_t>(b) * block_bytes;
    const size_t gb = static_cast<size_t>(g * p.n_blocks + b);
    for (int f = 0; f < p.scale_fields; ++f) {
      std::memcpy(block + f * kFieldBytes, p.scales + scale_offset(p, gb, f, i), kFieldBytes);
    }
    uint8_t* block_levels = block + kFieldBytes * p.scale_fields;
    const uint8_t* levels = p.qs + gb * kInterleaveRows * p.qs_bytes;
    for (size_t c = 0; c < p.qs_bytes; c += kInterleaveChunk) {
      std::memcpy(block_levels + c, levels + interleaved_chunk_offset(c, i), kInterleaveChunk);
    }
  }
}

}  // namespace slm
