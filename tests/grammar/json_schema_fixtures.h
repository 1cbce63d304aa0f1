// Helpers for the JSON Schema and regex compiler tests: run text through a compiled
// grammar, and list the shared schema collections.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"

namespace slm::grammar::test {

// Whether `text` is a complete sentence of `grammar` (fed as one accept_bytes call).
bool accepts(const std::shared_ptr<const Grammar>& grammar, std::string_view text);

// The JSON files of ../shared/schemas/jsonschemabench/<split>, sorted.
std::vector<std::string> bench_schema_files(const std::string& split);
inline const std::vector<std::string> kBenchSplits = {"Github_trivial", "Github_easy", "Glaiveai2K", "Kubernetes",
                                                      "WashingtonPost"};

}  // namespace slm::grammar::test
