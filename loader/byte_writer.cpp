#include "loader/byte_writer.h"

#include <cstring>

namespace slm {

// Out of line on purpose: inlined into callers with constant arguments, GCC 12 reports
// false -Wstringop-overflow / -Wrestrict warnings on the vector growth.
void ByteWriter::put_bytes(const void* p, size_t n) {
  if (n == 0) return;
  const size_t at = bytes_.size();
  bytes_.resize(at + n);
  std::memcpy(bytes_.data() + at, p, n);
}

void ByteWriter::put_string(std::string_view s) {
  put<uint64_t>(s.size());
  put_bytes(s.data(), s.size());
}

void ByteWriter::pad_to(size_t alignment) {
  bytes_.resize(bytes_.size() + (alignment - bytes_.size() % alignment) % alignment, 0);
}

}  // namespace slm
