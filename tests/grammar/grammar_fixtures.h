// Shared helpers for the grammar tests: the shared GBNF files and a matcher over a tiny
// byte-level vocabulary for tests that need no real model.
#pragma once

#include <memory>
#include <string>

#include "grammar/grammar.h"
#include "grammar/matcher.h"
#include "grammar/vocabulary.h"

namespace slm::grammar::test {

// ../shared/gbnf/<name>.gbnf, compiled.
std::shared_ptr<const Grammar> shared_grammar(const std::string& name);
// 256 single-byte tokens (id = byte value) and one EOG token (id 256).
std::shared_ptr<const Vocabulary> byte_vocabulary();
inline constexpr TokenId kByteVocabEog = 256;
// Gemma 3's vocabulary, built once; null when the model file is missing (the test then
// skips, or fails with SLM_REQUIRE_MODELS=1).
std::shared_ptr<const Vocabulary> gemma_vocabulary();

}  // namespace slm::grammar::test
