// A loaded model: the mapped GGUF file, its configuration and its bound weights.
// Immutable after loading, so any number of sessions can share it.
#pragma once

#include <memory>
#include <string>

#include "engine/model_config.h"
#include "engine/repack.h"
#include "engine/weights.h"
#include "slm/gguf.h"

namespace slm {

class Model {
 public:
  // Throws slm::Error for an unreadable file, an unsupported architecture, absurd
  // hyper-parameters, or missing / misshapen tensors.
  static std::unique_ptr<Model> load(const std::string& path);

  const GgufFile& file() const { return file_; }
  const ModelConfig& config() const { return config_; }
  const ModelWeights& weights() const { return weights_; }
  // What load-time repacking did (engine/repack.h): matrices, bytes and milliseconds.
  const RepackedWeights& repacked() const { return repacked_; }

 private:
  explicit Model(GgufFile file);
  GgufFile file_;
  ModelConfig config_;
  ModelWeights weights_;
  RepackedWeights repacked_;
};

}  // namespace slm
