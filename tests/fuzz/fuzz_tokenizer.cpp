// libFuzzer entry point for the tokenizers: arbitrary bytes through an SPM vocabulary
// (llama-spm) and a byte-level BPE one (qwen2), loaded once.
//
// Checks: encode never throws or returns out-of-range ids (with and without special
// parsing); the streaming decoder only emits valid UTF-8 and agrees with decode(); valid
// UTF-8 input comes back exactly from decode(encode(x)) (SPM: unless it holds U+2581).
//
// The vocabularies are read from $SLM_FUZZ_VOCAB_DIR, else $SLM_SHARED_DIR/vocab, else
// ../shared/vocab (the repo root as working directory), else relative to this file.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "slm/tokenizer.h"

namespace {

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::string vocab_dir() {
  if (const char* d = std::getenv("SLM_FUZZ_VOCAB_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* d = std::getenv("SLM_SHARED_DIR"); d != nullptr && *d != '\0') return std::string(d) + "/vocab";
  const std::string here = __FILE__;
  const std::string from_source = here.substr(0, here.rfind('/')) + "/../../../shared/vocab";
  for (const std::string& c : {std::string("../shared/vocab"), from_source}) {
    if (exists(c + "/ggml-vocab-qwen2.gguf")) return c;
  }
  return "../shared/vocab";
}

struct Vocabs {
  std::unique_ptr<slm::Tokenizer> spm;
  std::unique_ptr<slm::Tokenizer> bpe;
};

const Vocabs& vocabs() {
  static const Vocabs v = [] {
    Vocabs r;
    const std::string dir = vocab_dir();
    try {
      r.spm = std::make_unique<slm::Tokenizer>(slm::Tokenizer::from_file(dir + "/ggml-vocab-llama-spm.gguf"));
      r.bpe = std::make_unique<slm::Tokenizer>(slm::Tokenizer::from_file(dir + "/ggml-vocab-qwen2.gguf"));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz_tokenizer: cannot load vocabularies from %s: %s\n", dir.c_str(), e.what());
      std::abort();
    }
    return r;
  }();
  return v;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_tokenizer: check failed: %s\n", what);
    std::abort();
  }
}

void exercise(const slm::Tokenizer& tok, const std::string& text) {
  slm::DecodeOptions exact;
  exact.clean_spaces = false;
  exact.render_special = true;
  for (bool parse_special : {false, true}) {
    const std::vector<slm::TokenId> ids = tok.encode(text, true, parse_special);
    for (slm::TokenId id : ids) check(id >= 0 && static_cast<size_t>(id) < tok.vocab_size(), "id in range");
    const std::string decoded = tok.decode(ids, exact);
    slm::StreamDecoder stream(tok, exact);
    std::string streamed;
    for (slm::TokenId id : ids) {
      const std::string chunk = stream.push(id);
      check(slm::is_valid_utf8(chunk), "stream chunk is valid UTF-8");
      streamed += chunk;
    }
    streamed += stream.flush();
    check(streamed == slm::sanitize_utf8(decoded), "stream == sanitize(decode)");
  }
  const std::vector<slm::TokenId> plain = tok.encode(text, false, false);
  const std::string back = tok.decode(plain, exact);
  if (!slm::is_valid_utf8(text)) return;  // SPM splits bytes after escaping spaces, BPE sees U+FFFD
  if (tok.kind() == slm::TokenizerKind::Spm) {
    // a literal U+2581 in the input decodes as a space
    if (text.find("\xE2\x96\x81") == std::string::npos) check(back == text, "SPM round trip of valid UTF-8");
  } else {
    check(back == text, "BPE round trip of valid UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const Vocabs& v = vocabs();
  const std::string text(reinterpret_cast<const char*>(data), size);
  exercise(*v.spm, text);
  exercise(*v.bpe, text);
  return 0;
}
