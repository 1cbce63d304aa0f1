#include "kernels/interleaved_k.h"

#include <cstring>

namespace slm {

namespace {

const KInterleaving& interleaving(GgmlType type) {
  return type == GgmlType::Q4_K ? kQ4_KInterleaving : kQ6_KInterleaving;
}

// Calls move(offset in the row's GGUF super-block, place in the group's super-block, n)
// for every piece of row `row`: packing and restoring walk the same map in opposite
// directions. Byte is uint8_t or const uint8_t.
template <class Byte, class Move>
void for_each_piece(const KInterleaving& k, int row, Byte* levels, Byte* scales, Move move) {
  for (size_t c = 0; c < k.level_bytes; c += kInterleaveChunk) {
    move(k.levels_offset + c, levels + interleaved_chunk_offset(c, row), kInterleaveChunk);
  }
  for (int f = 0; f < k.fields; ++f) move(k.field_offsets[f], scales + k.field(f) + 2 * row, 2);
  for (int b = 0; b < k.planes; ++b) move(k.planes_offset + b, scales + k.plane(b) + row, 1);
}

// Q6_K's level bytes between the GGUF form and the kernels' (interleaved_k.h), in place:
// per half h and position p < 32, the bytes ql[64h + p], ql[64h + 32 + p], qh[32h + p]
// become quarter 0, 1 and 2's levels with quarter 3's bit pairs 5-4, 3-2, 1-0 on top.
constexpr size_t kQ6_KQh = sizeof(block_q6_K::ql);
constexpr int kQuarter = kQK_K / 8;

void q6_K_levels_to_kernels(uint8_t* levels) {
  for (int h = 0; h < 2; ++h) {
    for (int p = 0; p < kQuarter; ++p) {
      uint8_t& b0 = levels[64 * h + p];
      uint8_t& b1 = levels[64 * h + kQuarter + p];
      uint8_t& b2 = levels[kQ6_KQh + kQuarter * h + p];
      const int high = b2;  // bit pair k: quarter k's levels 4-5
      const int q0 = (b0 & 0xF) | (high & 3) << 4;
      const int q1 = (b1 & 0xF) | (high >> 2 & 3) << 4;
      const int q2 = (b0 >> 4) | (high >> 4 & 3) << 4;
      const int q3 = (b1 >> 4) | (high >> 6) << 4;
      b0 = static_cast<uint8_t>(q0 | (q3 >> 4) << 6);
      b1 = static_cast<uint8_t>(q1 | (q3 >> 2 & 3) << 6);
      b2 = static_cast<uint8_t>(q2 | (q3 & 3) << 6);
    }
  }
}

void q6_K_levels_from_kernels(uint8_t* levels) {
  for (int h = 0; h < 2; ++h) {
    for (int p = 0; p < kQuarter; ++p) {
      uint8_t& b0 = levels[64 * h + p];
      uint8_t& b1 = levels[64 * h + kQuarter + p];
      uint8_t& b2 = levels[kQ6_KQh + kQuarter * h + p];
      const int q0 = b0 & 0x3F, q1 = b1 & 0x3F, q2 = b2 & 0x3F;
      const int q3 = (b0 >> 6) << 4 | (b1 >> 6) << 2 | b2 >> 6;
      b0 = static_cast<uint8_t>((q0 & 0xF) | (q2 & 0xF) << 4);
      b1 = static_cast<uint8_t>((q1 & 0xF) | (q3 & 0xF) << 4);
      b2 = static_cast<uint8_t>(q0 >> 4 | (q1 >> 4) << 2 | (q2 >> 4) << 4 | (q3 >> 4) << 6);
    }
  }
}

}  // namespace

bool interleavable_k(GgmlType type) { return type == GgmlType::Q4_K || type == GgmlType::Q6_K; }

InterleavedParts interleaved_k_parts(const MatrixView& w) {
  const KInterleaving& k = interleaving(w.type);
  InterleavedParts p{};
  p.n_groups = w.n_rows / kInterleaveRows;
  p.n_blocks = w.n_cols / kQK_K;
  p.qs_bytes = k.level_bytes;
  p.group_qs_bytes = static_cast<size_t>(p.n_blocks) * k.group_levels();
  p.group_scales_bytes = static_cast<size_t>(p.n_blocks) * k.group_scales();
  p.qs = w.data;
  p.scales = p.qs + static_cast<size_t>(p.n_groups) * p.group_qs_bytes;
  p.tail = p.scales + static_cast<size_t>(p.n_groups) * p.group_scales_bytes;
  return p;
}

MatrixView interleave_k(const MatrixView& rows, uint8_t* out, SourceDoneFn done) {
  const MatrixView packed{rows.type, out, rows.n_cols, rows.n_rows, rows.row_bytes, MatrixLayout::kInterleaved};
  const InterleavedParts p = interleaved_k_parts(packed);
  const KInterleaving& k = interleaving(rows.type);
  uint8_t* const scales = out + (p.scales - packed.data);
  interleave_groups(rows, p, out, done, [&](int64_t g, int i, int64_t b, const uint8_t* block) {
    const auto gb = static_cast<size_t>(g * p.n_blocks + b);
    uint8_t rearranged[sizeof(block_q6_K)];
    if (rows.type == GgmlType::Q6_K) {
      std::memcpy(rearranged, block, sizeof(rearranged));
      q6_K_levels_to_kernels(rearranged + offsetof(block_q6_K, ql));
      block = rearranged;
    }
    for_each_piece(k, i, out + gb * k.group_levels(), scales + gb * k.group_scales(),
                   [&](size_t offset, uint8_t* to, size_t n) { std::memcpy(to, block + offset, n); });
  });
  return packed;
}

void interleaved_k_row(const InterleavedParts& p, GgmlType type, int64_t g, int i, uint8_t* out) {
  const KInterleaving& k = interleaving(type);
  const size_t block_bytes = ggml_type_info(type).block_bytes;
  for (int64_t b = 0; b < p.n_blocks; ++b) {
    uint8_t* block = out + static_cast<size_t>(b) * block_bytes;
    const auto gb = static_cast<size_t>(g * p.n_blocks + b);
    for_each_piece(k, i, p.qs + gb * k.group_levels(), p.scales + gb * k.group_scales(),
                   [&](size_t offset, const uint8_t* from, size_t n) { std::memcpy(block + offset, from, n); });
    if (type == GgmlType::Q6_K) q6_K_levels_from_kernels(block + offsetof(block_q6_K, ql));
  }
}

}  // namespace slm
