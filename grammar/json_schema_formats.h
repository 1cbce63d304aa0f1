// The string formats we enforce, each as an anchored pattern in our regex dialect.
#pragma once

#include <optional>
#include <string>

namespace slm::grammar::schema {

enum class FormatSupport { kEnforced, kUnknown, kRefused };

// The pattern for `format`; kUnknown formats are annotations (no validator asserts
// them), kRefused ones are asserted by validators but not by us.
FormatSupport format_support(const std::string& format);
std::string format_pattern(const std::string& format);  // only for kEnforced

}  // namespace slm::grammar::schema
