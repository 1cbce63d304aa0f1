// The interleaved layout (interleaved.h) of the K-quants Q4_K and Q6_K: groups of 16
// rows, made at load time, so that one kernel instruction serves 16 rows (interleaved_k
// kernels in x86/) while keeping llama.cpp's exact arithmetic.
//
// A row's super-block is level bytes (Q4_K: 128 bytes of nibbles; Q6_K: 128 of ql
// nibbles then 64 of qh bit pairs), f16 fields (d, and Q4_K's dmin) and single scale
// bytes (Q4_K: the 12 packed 6-bit scales and mins; Q6_K: 16 signed scales). Q6_K's
// level bytes are first rearranged, bijectively, so that three of every four 6-bit
// levels come out with one mask: for each half h (128 elements) and position p < 32,
// the bytes ql[64h + p], ql[64h + 32 + p] and qh[32h + p] hold the levels of elements
// 128h + p, 128h + 32 + p and 128h + 64 + p in their low 6 bits and the level of element
// 128h + 96 + p in their top bit pairs (its bits 5-4, 3-2, 1-0). For each group and
// super-block, in order:
//   levels: chunk k (bytes 4k..4k+3 of each row's level bytes) of rows 0..15 as 64
//           contiguous bytes, as the 32-element formats store theirs;
//   fields: each f16 field of rows 0..15 side by side (32 bytes), d first;
//   planes: byte b of the scale bytes of rows 0..15 side by side (16 bytes), b = 0, 1, ...
// so that a kernel finds the four levels of 16 rows that meet the same four activation
// bytes in one 64-byte load, the 16 rows' d in one f16 vector, and sub-block j's scale of
// every row by spreading one 16-byte plane over the rows' lanes.
//
// Bytes of the whole matrix (the same total as the GGUF rows): the levels of every group
// and super-block ((g·nb + i)·16·level bytes), then their fields and planes, then the
// rows that do not fill a last group, unchanged. Every source byte appears once, so any
// row can be restored exactly.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/interleaved.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"
#include "slm/ggml_type.h"

namespace slm {

// Where the bytes of a row's super-block go.
struct KInterleaving {
  size_t levels_offset;  // in the GGUF block
  size_t level_bytes;
  size_t field_offsets[2];  // f16 fields, d first
  int fields;
  size_t planes_offset;  // the single scale bytes
  int planes;

  // Bytes of one group's super-block: its levels, then its fields and planes ("scales").
  constexpr size_t group_levels() const { return level_bytes * kInterleaveRows; }
  constexpr size_t group_scales() const { return (2 * static_cast<size_t>(fields) + planes) * kInterleaveRows; }
  // Offsets inside a group super-block's scales.
  constexpr size_t field(int f) const { return 2 * kInterleaveRows * static_cast<size_t>(f); }
  constexpr size_t plane(int b) const { return field(fields) + kInterleaveRows * static_cast<size_t>(b); }
};

inline constexpr KInterleaving kQ4_KInterleaving{
    offsetof(block_q4_K, qs), sizeof(block_q4_K::qs), {offsetof(block_q4_K, d), offsetof(block_q4_K, dmin)}, 2,
    offsetof(block_q4_K, scales), sizeof(block_q4_K::scales)};
inline constexpr KInterleaving kQ6_KInterleaving{offsetof(block_q6_K, ql),
                                                 sizeof(block_q6_K::ql) + sizeof(block_q6_K::qh),
                                                 {offsetof(block_q6_K, d), 0},
                                                 1,
                                                 offsetof(block_q6_K, scales),
                                                 sizeof(block_q6_K::scales)};
static_assert(kQ4_KInterleaving.group_levels() + kQ4_KInterleaving.group_scales() ==
              sizeof(block_q4_K) * kInterleaveRows);
static_assert(kQ6_KInterleaving.group_levels() + kQ6_KInterleaving.group_scales() ==
              sizeof(block_q6_K) * kInterleaveRows);

// Q4_K and Q6_K.
bool interleavable_k(GgmlType type);

// What interleaved.h does for those two types (it calls these): the parts of a matrix,
// its interleaved form, and the GGUF bytes of row i of group g.
InterleavedParts interleaved_k_parts(const MatrixView& w);
MatrixView interleave_k(const MatrixView& rows, uint8_t* out, SourceDoneFn done);
void interleaved_k_row(const InterleavedParts& p, GgmlType type, int64_t g, int i, uint8_t* out);

}  // namespace slm
