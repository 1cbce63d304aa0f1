// slm::Error: the one exception type for problems in data the user gave us
// (files, arguments, text). Internal invariants use SLM_ASSERT, never this.
#pragma once

#include <stdexcept>
#include <string>

namespace slm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace slm
