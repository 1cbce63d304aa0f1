#include "engine/weights.h"

#include "slm/error.h"
#include "slm/quant.h"

namespace slm {

namespace {

std::string shape_text(const GgufTensor& t) {
  std::string s = "[";
  for (uint32_t d = 0; d < t.n_dims; ++d) s += (d ? ", " : "") + std::to_string(t.dims[d]);
  return s + "]";
}

}  // namespace

const GgufTensor& TensorBinder::lookup(const std::string& name) const {
  const GgufTensor* t = file_.find_tensor(name);
  if (t == nullptr) throw Error(file_.path() + ": missing tensor '" + name + "'");
  if (!can_dequantize(t->type)) {
    throw Error(file_.path() + ": tensor '" + name + "' has unsupported type " + ggml_type_name(t->type));
  }
  return *t;
}

MatrixView TensorBinder::matrix(const std::string& name, int64_t n_cols, int64_t n_rows) const {
  const GgufTensor& t = lookup(name);
  if (t.n_dims != 2 || t.dims[0] != n_cols || t.dims[1] != n_rows) {
    throw Error(file_.path() + ": tensor '" + name + "' has shape " + shape_text(t) + ", expected [" +
                std::to_string(n_cols) + ", " + std::to_string(n_rows) + "]");
  }
  return MatrixView{t.type, t.data, n_cols, n_rows, static_cast<size_t>(t.n_bytes / static_cast<uint64_t>(n_rows))};
}

std::optional<MatrixView> TensorBinder::optional_matrix(const std::string& name, int64_t n_cols,
                                                        int64_t n_rows) const {
  if (!has(name)) return std::nullopt;
  return matrix(name, n_cols, n_rows);
}

Vector TensorBinder::vector(const std::string& name, int64_t n) const {
  const GgufTensor& t = lookup(name);
  if (t.n_elements != static_cast<uint64_t>(n) || t.dims[0] != n) {
    throw Error(file_.path() + ": tensor '" + name + "' has shape " + shape_text(t) + ", expected [" +
                std::to_string(n) + "]");
  }
  Vector v(static_cast<size_t>(n));
  dequantize_row(t.type, t.data, v.data(), n);
  return v;
}

Vector TensorBinder::optional_vector(const std::string& name, int64_t n) const {
  return has(name) ? vector(name, n) : Vector{};
}

}  // namespace slm
