#include "engine/model.h"

#include "engine/architecture.h"
#include "slm/error.h"

namespace slm {

Model::Model(GgufFile file) : file_(std::move(file)), config_(read_model_config(file_)) {
  const TensorBinder b(file_);
  const ModelConfig& c = config_;
  weights_.token_embd = b.matrix("token_embd.weight", c.n_embd, c.n_vocab);
  weights_.output_norm = b.vector("output_norm.weight", c.n_embd);
  weights_.output = b.optional_matrix("output.weight", c.n_embd, c.n_vocab).value_or(weights_.token_embd);
  weights_.rope_freqs = b.optional_vector("rope_freqs.weight", c.layers[0].rope.n_rot / 2);
  const Architecture& arch = architecture(c.arch);
  weights_.layers.resize(static_cast<size_t>(c.n_layer));
  for (int il = 0; il < c.n_layer; ++il) arch.bind_layer(b, c, il, weights_.layers[il]);
  repacked_ = repack_weights(weights_);
}

std::unique_ptr<Model> Model::load(const std::string& path) {
  return std::unique_ptr<Model>(new Model(GgufFile::open(path)));
}

}  // namespace slm
