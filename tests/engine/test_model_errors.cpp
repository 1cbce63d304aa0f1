// Broken but parseable model files: a valid reference model rewritten with one defect
// each must be refused at load time with a clear one-line error, through the library
// and through slm-run.
#include <gtest/gtest.h>

#include <functional>

#include "engine/model.h"
#include "slm/error.h"
#include "slm/gguf.h"
#include "tests/support/test_data.h"

namespace slm::test {
namespace {

struct Edit {
  std::function<bool(const std::string& key)> drop_key = [](const std::string&) { return false; };
  std::function<bool(const std::string& name)> drop_tensor = [](const std::string&) { return false; };
  std::function<void(GgufWriter&)> extra_keys = [](GgufWriter&) {};
  // Replaces a tensor's dims (file order) when it returns a non-empty vector.
  std::function<std::vector<int64_t>(const GgufTensor&)> reshape = [](const GgufTensor&) { return std::vector<int64_t>{}; };
};

// Copies every key (except dropped ones) of `src` into `w`.
void copy_keys(const GgufFile& src, GgufWriter& w, const Edit& edit) {
  for (const GgufKv& kv : src.metadata()) {
    const std::string key(kv.key);
    if (edit.drop_key(key)) continue;
    const GgufValue& v = kv.value;
    if (v.is_array()) {
      if (v.array_type() == GgufType::STRING) {
        std::vector<std::string> items;
        for (std::string_view s : v.array_strings()) items.emplace_back(s);
        w.set_array_strings(key, items);
      } else {
        w.set_array(key, v.array_type(), v.bytes(), v.array_size());
      }
    } else if (v.type() == GgufType::STRING) {
      w.set_string(key, v.as_string());
    } else if (v.type() == GgufType::UINT32) {
      w.set_u32(key, v.as_u32());
    } else if (v.type() == GgufType::FLOAT32) {
      w.set_f32(key, v.as_f32());
    } else if (v.type() == GgufType::BOOL) {
      w.set_bool(key, v.as_bool());
    } else {
      w.set_i64(key, v.as_int());
    }
  }
}

std::string write_edited(const std::string& name, const Edit& edit) {
  const GgufFile src = GgufFile::open(shared_path("reference/models/ref-llama-F32.gguf"));
  GgufWriter w;
  copy_keys(src, w, edit);
  edit.extra_keys(w);
  for (const GgufTensor& t : src.tensors()) {
    const std::string tname(t.name);
    if (edit.drop_tensor(tname)) continue;
    std::vector<int64_t> dims = edit.reshape(t);
    if (dims.empty()) {
      w.add_tensor(tname, t.type, std::vector<int64_t>(t.dims.begin(), t.dims.begin() + t.n_dims), t.data, t.n_bytes);
    } else {
      int64_t n = 1;
      for (int64_t d : dims) n *= d;
      w.add_tensor(tname, t.type, dims, t.data, static_cast<size_t>(n) * 4);  // the source is F32
    }
  }
  const std::string path = ::testing::TempDir() + "/" + name + ".gguf";
  w.write(path);
  return path;
}

void expect_refused(const std::string& path, const std::string& needle) {
  try {
    Model::load(path);
    ADD_FAILURE() << path << " was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
  const CommandResult r = run_command(tools_dir() + "/slm-run -m " + shell_quote(path) + " -p hi -n 1");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

TEST(ModelErrors, TheUneditedCopyLoads) {
  EXPECT_NO_THROW(Model::load(write_edited("copy", Edit{})));
}

TEST(ModelErrors, MissingTensor) {
  Edit e;
  e.drop_tensor = [](const std::string& n) { return n == "blk.1.ffn_down.weight"; };
  expect_refused(write_edited("missing_tensor", e), "missing tensor 'blk.1.ffn_down.weight'");
}

TEST(ModelErrors, WrongShape) {
  Edit e;
  e.reshape = [](const GgufTensor& t) {
    return t.name == "blk.0.attn_q.weight" ? std::vector<int64_t>{256, 128} : std::vector<int64_t>{};
  };
  expect_refused(write_edited("wrong_shape", e), "'blk.0.attn_q.weight' has shape [256, 128], expected [256, 256]");
}

TEST(ModelErrors, AbsurdOrMissingHyperParameters) {
  Edit layers;
  layers.extra_keys = [](GgufWriter& w) { w.set_u32("llama.block_count", 1000000000); };
  expect_refused(write_edited("absurd_layers", layers), "'llama.block_count': value 1000000000 is outside");
  Edit zero;
  zero.extra_keys = [](GgufWriter& w) { w.set_u32("llama.embedding_length", 0); };
  expect_refused(write_edited("zero_embd", zero), "'llama.embedding_length': value 0 is outside");
  Edit heads;
  heads.extra_keys = [](GgufWriter& w) { w.set_u32("llama.attention.head_count_kv", 3); };
  expect_refused(write_edited("bad_kv_heads", heads), "not a multiple of 3 KV heads");
  Edit eps;
  eps.drop_key = [](const std::string& k) { return k == "llama.attention.layer_norm_rms_epsilon"; };
  expect_refused(write_edited("no_eps", eps), "'llama.attention.layer_norm_rms_epsilon': missing");
  Edit wrong_type;
  wrong_type.extra_keys = [](GgufWriter& w) { w.set_string("llama.block_count", "two"); };
  expect_refused(write_edited("string_layers", wrong_type), "'llama.block_count'");
}

TEST(ModelErrors, VocabularyAndEmbeddingsDisagree) {
  Edit e;
  e.extra_keys = [](GgufWriter& w) { w.set_u32("llama.vocab_size", 1000); };
  expect_refused(write_edited("vocab_mismatch", e), "'token_embd.weight' has shape [256, 512], expected [256, 1000]");
}

TEST(ModelErrors, UnknownArchitecture) {
  Edit e;
  e.extra_keys = [](GgufWriter& w) { w.set_string("general.architecture", "transformer9000"); };
  expect_refused(write_edited("unknown_arch", e), "unsupported architecture 'transformer9000'");
}

}  // namespace
}  // namespace slm::test
