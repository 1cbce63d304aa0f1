// libFuzzer entry point for the GBNF compiler and the matcher: arbitrary bytes as a
// grammar. Compiling must either succeed or throw slm::Error, within the size budgets.
// A grammar that compiles is then driven over a byte vocabulary: forced bytes must be
// accepted, no reachable state may be a dead end, and rollback must restore the state.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/matcher.h"
#include "slm/error.h"

namespace {

std::shared_ptr<const slm::grammar::Vocabulary> byte_vocab() {
  static const auto vocab = [] {
    std::vector<std::string> bytes;
    for (int b = 0; b < 256; ++b) bytes.emplace_back(1, static_cast<char>(b));
    bytes.emplace_back();  // EOG
    return std::make_shared<const slm::grammar::Vocabulary>(std::move(bytes), std::vector<slm::TokenId>{256});
  }();
  return vocab;
}

void drive(const std::shared_ptr<const slm::grammar::Grammar>& g, std::string_view input) {
  slm::grammar::Matcher m(g, byte_vocab());
  std::vector<uint64_t> mask(5);
  // Walk: take the forced bytes, else the input's next byte if allowed, else the first
  // allowed byte; stop when only EOG remains. Steps may throw slm::Error for grammars too
// ambiguous to track.
  for (size_t step = 0; step < 64; ++step) {
    const std::string forced = m.forced_bytes();
    if (!forced.empty() && !m.accept_bytes(forced)) std::abort();
    m.fill_mask(mask);
    const auto allowed = [&](int t) { return ((mask[static_cast<size_t>(t) >> 6] >> (t & 63)) & 1u) != 0; };
    if (allowed(256) != m.is_complete()) std::abort();
    int pick = step < input.size() ? static_cast<unsigned char>(input[step]) : -1;
    if (pick < 0 || !allowed(pick)) {
      pick = -1;
      for (int t = 0; t < 256 && pick < 0; ++t) {
        if (allowed(t)) pick = t;
      }
    }
    if (pick < 0) {
      if (!m.is_complete()) std::abort();  // dead end
      break;
    }
    if (!m.accept_token(pick)) std::abort();
  }
  const size_t taken = m.history_size();
  m.rollback(taken / 2);
  if (m.history_size() != taken - taken / 2) std::abort();
  m.reset();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const slm::grammar::Grammar> g;
  try {
    g = slm::grammar::compile_gbnf(text);
  } catch (const slm::Error&) {
    return 0;
  }
  try {
    drive(g, text);
  } catch (const slm::Error&) {
    // Too ambiguous to track (kMaxStacks): a clean refusal, not a hang.
  }
  return 0;
}
