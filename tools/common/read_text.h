// Reading a whole input file for the command-line tools.
#pragma once

#include <string>

namespace slm::tools {

// The file's bytes, exactly. Throws slm::Error "PATH: cannot read" when it cannot.
std::string read_text_file(const std::string& path);

}  // namespace slm::tools
