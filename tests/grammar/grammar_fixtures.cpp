#include "tests/grammar/grammar_fixtures.h"

#include <vector>

#include "slm/tokenizer.h"
#include "tests/support/test_data.h"

namespace slm::grammar::test {

std::shared_ptr<const Grammar> shared_grammar(const std::string& name) {
  return compile_gbnf(slm::test::read_file(slm::test::shared_path("gbnf/" + name + ".gbnf")));
}

std::shared_ptr<const Vocabulary> byte_vocabulary() {
  std::vector<std::string> bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(std::string(1, static_cast<char>(b)));
  bytes.emplace_back();  // EOG
  return std::make_shared<const Vocabulary>(std::move(bytes), std::vector<TokenId>{kByteVocabEog});
}

std::shared_ptr<const Vocabulary> gemma_vocabulary() {
  static std::shared_ptr<const Vocabulary> vocab;
  if (!vocab) {
    const std::string path = slm::test::gemma_path();
    if (path.empty()) return nullptr;
    vocab = make_vocabulary(Tokenizer::from_file(path));
  }
  return vocab;
}

}  // namespace slm::grammar::test
