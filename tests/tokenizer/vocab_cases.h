// Test-vector helpers for the tokenizer tests.
#pragma once

#include <string>
#include <vector>

#include "slm/tokenizer.h"

namespace slm::test {

struct VocabCase {
  std::string text;
  std::vector<TokenId> expected;
};

// Reads `<stem>.inp` (texts separated by "\n__ggml_vocab_test__\n", the file ending with
// the separator) and `<stem>.out` (one line of space-separated ids per text).
std::vector<VocabCase> read_vocab_cases(const std::string& inp_path, const std::string& out_path);

// The ggml-vocab-*.gguf files in shared/vocab that have .inp/.out vectors.
std::vector<std::string> vocab_files_with_vectors();

std::string ids_to_string(const std::vector<TokenId>& ids);

}  // namespace slm::test
