// Load-time repacking: weight matrices are copied into the layout that the selected
// kernels read directly (kernels/interleaved.h) and the copy replaces the file mapping's
// pages in memory, so resident memory stays about the size of the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/weights.h"

namespace slm {

struct UnmapBytes {
  size_t size = 0;
  void operator()(uint8_t* p) const;
};

struct RepackedWeights {
  std::unique_ptr<uint8_t, UnmapBytes> arena;  // every repacked matrix; the views point into it
  int matrices = 0;
  size_t bytes = 0;
  double ms = 0.0;
};

// Repacks every matrix of `weights` whose type the selected ISA family has a kernel for
// in another layout, and points its view at the copy (a tied output matrix is repacked
// once). Nothing is repacked when the environment sets SLM_REPACK=0.
RepackedWeights repack_weights(ModelWeights& weights);

}  // namespace slm
