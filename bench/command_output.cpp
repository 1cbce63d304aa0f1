#include "command_output.h"

#include <cstdio>
#include <memory>

#include "slm/error.h"

namespace slm::bench {

CommandOutput run_command(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw Error("cannot run: " + command);
  CommandOutput result;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0;) result.out.append(buf, n);
  result.status = pclose(pipe.release());
  return result;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace slm::bench
