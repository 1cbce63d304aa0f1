// Session state files: the evaluated tokens and their KV cache rows, so a long fixed
// prompt can be processed once and restored later.
//
// Layout (little-endian): "SLMS", u32 version, u64 model fingerprint, u32 n_past,
// n_past × i32 tokens, then for every layer the K rows and the V rows of positions
// 0..n_past-1 (f16).
#include <cstdio>
#include <cstring>
#include <memory>

#include "engine/session.h"
#include "slm/error.h"

namespace slm {

namespace {

constexpr char kMagic[4] = {'S', 'L', 'M', 'S'};
constexpr uint32_t kVersion = 1;

using File = std::unique_ptr<FILE, int (*)(FILE*)>;

// Identifies the model shape a cache belongs to (a cache of another model is garbage).
uint64_t fingerprint(const Model& model) {
  const ModelConfig& c = model.config();
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the shape and the file size
  const auto mix = [&h](uint64_t v) {
    for (int i = 0; i < 8; ++i) h = (h ^ ((v >> (8 * i)) & 0xFF)) * 1099511628211ull;
  };
  mix(model.file().file_size());
  mix(static_cast<uint64_t>(c.n_vocab));
  mix(static_cast<uint64_t>(c.n_embd));
  mix(static_cast<uint64_t>(c.n_layer));
  for (const LayerConfig& l : c.layers) mix(static_cast<uint64_t>(l.n_head_kv));
  return h;
}

void write(FILE* f, const void* p, size_t n, const std::string& path) {
  if (n != 0 && std::fwrite(p, 1, n, f) != n) throw Error(path + ": write failed");
}

void read(FILE* f, void* p, size_t n, const std::string& path) {
  if (n != 0 && std::fread(p, 1, n, f) != n) throw Error(path + ": truncated or unreadable session file");
}

}  // namespace

void Session::save(const std::string& path) const {
  File f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) throw Error(path + ": cannot create session file");
  const uint64_t print = fingerprint(model_);
  const auto n = static_cast<uint32_t>(n_past_);
  write(f.get(), kMagic, 4, path);
  write(f.get(), &kVersion, 4, path);
  write(f.get(), &print, 8, path);
  write(f.get(), &n, 4, path);
  write(f.get(), history_.data(), history_.size() * sizeof(int32_t), path);
  for (int il = 0; il < cache_.n_layer(); ++il) {
    write(f.get(), cache_.k(il, 0), cache_.k_width(il) * n * sizeof(uint16_t), path);
    write(f.get(), cache_.v(il, 0), cache_.v_width(il) * n * sizeof(uint16_t), path);
  }
  if (std::fclose(f.release()) != 0) throw Error(path + ": write failed");
}

void Session::load(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw Error(path + ": cannot open session file");
  char magic[4];
  uint32_t version = 0;
  uint64_t print = 0;
  uint32_t n = 0;
  read(f.get(), magic, 4, path);
  read(f.get(), &version, 4, path);
  read(f.get(), &print, 8, path);
  read(f.get(), &n, 4, path);
  if (std::memcmp(magic, kMagic, 4) != 0 || version != kVersion) throw Error(path + ": not an slm session file");
  if (print != fingerprint(model_)) throw Error(path + ": session file belongs to another model");
  if (n > static_cast<uint32_t>(cache_.n_ctx())) {
    throw Error(path + ": session holds " + std::to_string(n) + " tokens, more than the context of " +
                std::to_string(cache_.n_ctx()));
  }
  std::vector<int32_t> tokens(n);
  read(f.get(), tokens.data(), n * sizeof(int32_t), path);
  for (const int32_t id : tokens) {
    if (id < 0 || id >= model_.config().n_vocab) throw Error(path + ": corrupt session file (token id)");
  }
  // The cache is overwritten from here on: a failure leaves an empty session.
  n_past_ = 0;
  history_.clear();
  for (int il = 0; il < cache_.n_layer(); ++il) {
    read(f.get(), cache_.k(il, 0), cache_.k_width(il) * n * sizeof(uint16_t), path);
    read(f.get(), cache_.v(il, 0), cache_.v_width(il) * n * sizeof(uint16_t), path);
  }
  history_ = std::move(tokens);
  n_past_ = static_cast<int>(n);
}

}  // namespace slm
