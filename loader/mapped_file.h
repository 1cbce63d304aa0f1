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

// Drops from memory the whole pages of a mapping inside [p, p + n), for data that has
// been copied elsewhere (weights repacked at load time): resident memory then counts
// the copy only. The bytes stay readable; touching them again reads the file back in.
void release_mapped_pages(const uint8_t* p, size_t n);

}  // namespace slm
