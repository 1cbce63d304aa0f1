// The interleaved weight layout that the decode and prompt kernels read directly,
// made once at load time from the GGUF rows (weights are read-only afterwards).
//
// A matrix of a 32-element format whose block is one or two f16 scale fields (d; Q4_1
// and Q5_1: d, m) followed by its level bytes (Q4_0, Q4_1, IQ4_NL: 16 bytes of nibbles;
// Q5_0, Q5_1: 4 bytes of fifth bits and 16 of nibbles; Q8_0: 32 signed bytes) is cut
// into groups of 16 rows. For each group and block the level bytes of the 16 rows are
// stored side by side four bytes at a time: chunk k (bytes 4k..4k+3 of each row's
// block's levels) of rows 0..15 is 64 contiguous bytes. One 512-bit load (or two
// 256-bit ones) then gives every row's 32-bit lane the four bytes that meet the same
// four activation bytes, so a single byte dot-product instruction serves 16 rows and no
// horizontal sums are needed.
//
// Bytes of the whole matrix, in order (the same total as the GGUF rows):
//   levels: group g, block b at (g·nb + b)·16·qs_bytes, chunk-major as above;
//   scales: group g, block b at (g·nb + b)·32·fields: each field of the 16 rows side by
//           side (d of rows 0..15, then m of rows 0..15);
//   tail:   rows not filling a last group, unchanged (n_rows % 16 GGUF rows).
// Every byte of the source reappears once, so any row can be restored exactly.
// Q4_K and Q6_K have their own arrangement of the same kind (interleaved_k.h); the
// functions below serve them too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "kernels/matmul.h"
#include "slm/ggml_type.h"

namespace slm {

inline constexpr int kInterleaveRows = 16;
inline constexpr int kInterleaveChunk = 4;  // bytes of one row kept together

// Whether matrices of this weight type can be interleaved (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// IQ4_NL, Q4_K, Q6_K).
bool interleavable(GgmlType type);

// Where level byte `byte` of a row's block goes among its group's levels: chunk k of
// row i starts at 64·k + 4·i.
inline size_t interleaved_chunk_offset(size_t byte, int row) {
  const size_t chunk = byte / kInterleaveChunk;
  return chunk * kInterleaveChunk * kInterleaveRows + static_cast<size_t>(row) * kInterleaveChunk +
         byte % kInterleaveChunk;
}

// Where the parts of an interleaved matrix start.
struct InterleavedParts {
  int64_t n_groups;           // full groups of 16 rows
  int64_t n_blocks;           // blocks per row
  int scale_fields;           // f16 fields before the levels: 1 (d) or 2 (d, m)
  size_t qs_bytes;            // level bytes of one block of one row
  size_t group_qs_bytes;      // level bytes of one group (all its blocks)
  size_t group_scales_bytes;  // scale bytes of one group (32 per field and block)
  const uint8_t* qs;          // levels of group 0
  const uint8_t* scales;      // scales of group 0
  const uint8_t* tail;        // the GGUF rows from n_groups·16 on
};
InterleavedParts interleaved_parts(const MatrixView& w);

// Called with source bytes that have been copied and are not read again.
using SourceDoneFn = void (*)(const uint8_t* p, size_t n);

// Writes the interleaved form of `rows` (GGUF rows of an interleavable type) to `out`,
// which holds rows.n_rows · rows.row_bytes bytes, and returns the view of it. Works
// through the source in slabs of a few MiB on the OpenMP threads, handing each finished
// slab to `done` (if not null) so that a caller can release it before the next.
MatrixView interleave(const MatrixView& rows, uint8_t* out, SourceDoneFn done = nullptr);

// The walk of interleave that every layout shares: pack_block(g, i, b, block) for block
// b of row i of each full group g of `rows` (parts `p` of the copy at `out`), slab by
// slab, then the tail rows copied.
void interleave_groups(const MatrixView& rows, const InterleavedParts& p, uint8_t* out, SourceDoneFn done,
                       const std::function<void(int64_t g, int i, int64_t b, const uint8_t* block)>& pack_block);

// Restores the GGUF bytes of row r (w.row_bytes of them) from an interleaved matrix.
void interleaved_row(const MatrixView& w, int64_t r, uint8_t* out);

// The multi-row kernels' arguments: n_groups groups of an interleaved matrix (its
// levels and scales from the first of them) times n_tokens activation rows (Q8_0; Q8_1
// for Q4_1 and Q5_1; Q8_K for Q4_K and Q6_K).
// y[t · y_stride + 16·g + i] receives row i of group g for token t.
struct InterleavedArgs {
  int64_t n;  // columns
  const uint8_t* qs;
  const uint8_t* scales;
  int64_t n_groups;
  const uint8_t* a;
  size_t a_stride;
  int64_t n_tokens;
  float* y;
  int64_t y_stride;
};

}  // namespace slm
