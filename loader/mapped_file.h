// A read-only memory map of a whole file: the only place that does OS file I/O for
// model files. Pages are mapped lazily by the kernel, so opening is O(1) in file size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace slm {

class MappedFile {
 public:
  // Throws slm::Error naming the path and the OS error.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace slm
