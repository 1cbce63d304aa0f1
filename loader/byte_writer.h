// Little-endian byte building for GGUF output (the writer, and tests that need to
// build files the writer would refuse to describe, such as bad counts).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace slm {

class ByteWriter {
 public:
  template <typename T>
  void put(T v) {
    put_bytes(&v, sizeof v);
  }
  void put_string(std::string_view s);  // gguf string: u64 length + bytes
  void put_bytes(const void* p, size_t n);
  void pad_to(size_t alignment);  // zero bytes up to the next multiple
  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace slm
