#include "tests/grammar/json_schema_fixtures.h"

#include <algorithm>
#include <filesystem>

#include "grammar/matcher.h"
#include "tests/grammar/grammar_fixtures.h"
#include "tests/support/test_data.h"

namespace slm::grammar::test {

bool accepts(const std::shared_ptr<const Grammar>& grammar, std::string_view text) {
  static const std::shared_ptr<const Vocabulary> vocab = byte_vocabulary();
  Matcher m(grammar, vocab);
  return m.accept_bytes(text) && m.is_complete();
}

std::vector<std::string> bench_schema_files(const std::string& split) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(slm::test::shared_path("schemas/jsonschemabench/" + split)))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace slm::grammar::test
