#include "tests/tokenizer/vocab_cases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "tests/support/test_data.h"

namespace slm::test {

std::vector<VocabCase> read_vocab_cases(const std::string& inp_path, const std::string& out_path) {
  const std::string inp = read_file(inp_path);
  const std::string out = read_file(out_path);
  static const std::string kSep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  size_t pos = 0;
  while (pos < inp.size()) {
    const size_t next = inp.find(kSep, pos);
    if (next == std::string::npos) {
      texts.push_back(inp.substr(pos));  // no trailing separator
      break;
    }
    texts.push_back(inp.substr(pos, next - pos));
    pos = next + kSep.size();
  }
  std::vector<std::vector<TokenId>> ids;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<TokenId> v;
    long long x;
    while (words >> x) v.push_back(static_cast<TokenId>(x));
    ids.push_back(std::move(v));
  }
  EXPECT_EQ(texts.size(), ids.size()) << inp_path;
  std::vector<VocabCase> cases;
  for (size_t i = 0; i < std::min(texts.size(), ids.size()); ++i) cases.push_back({texts[i], ids[i]});
  return cases;
}

std::vector<std::string> vocab_files_with_vectors() {
  std::vector<std::string> files;
  const std::string dir = shared_path("vocab");
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ggml-vocab-", 0) == 0 && name.size() > 5 && name.substr(name.size() - 5) == ".gguf" &&
        std::filesystem::exists(e.path().string() + ".inp") && std::filesystem::exists(e.path().string() + ".out")) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ids_to_string(const std::vector<TokenId>& ids) {
  std::string s;
  for (TokenId id : ids) {
    if (!s.empty()) s += ' ';
    s += std::to_string(id);
  }
  return s;
}

}  // namespace slm::test
