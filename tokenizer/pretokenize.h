// BPE pre-tokenization: the regex list selected by tokenizer.ggml.pre, applied the way
// llama.cpp applies it (each regex splits the pieces left by the previous one; text
// between matches becomes a piece of its own).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace slm::tok {

struct PreTokenizerConfig {
  std::vector<std::string> regexes;  // in llama.cpp's syntax
  bool clean_spaces = true;          // detokenizer clean-up
  bool ignore_merges = false;        // a piece that is a whole token is emitted as is
  int add_bos = -1;                  // -1: keep the default, 0/1: override
  bool no_bos = false;               // the pre-type disables the BOS token (chatglm)
};

// Throws slm::Error for an unknown name; "" means llama.cpp's default.
PreTokenizerConfig pre_tokenizer_config(std::string_view pre_name);

class PreTokenizer {
 public:
  explicit PreTokenizer(const std::vector<std::string>& regexes);
  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  // Splits the code points into pieces; appends each piece's length (in code points,
  // all > 0, summing to cpts.size()) to `lengths` (which is cleared first).
  void split(const std::vector<uint32_t>& cpts, std::vector<size_t>& lengths) const;

 private:
  struct Step;
  std::vector<std::unique_ptr<Step>> steps_;
};

}  // namespace slm::tok
