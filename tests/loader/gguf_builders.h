// Helpers for loader tests: hand-built GGUF bytes (valid or not) and parsing them from
// an exactly sized heap copy, so that AddressSanitizer catches any read past the end.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loader/byte_writer.h"
#include "slm/error.h"
#include "slm/gguf.h"

namespace slm::test {

inline void put_header(ByteWriter& w, uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
  w.put<uint32_t>(0x46554747);
  w.put<uint32_t>(version);
  w.put<uint64_t>(n_tensors);
  w.put<uint64_t>(n_kv);
}

inline void put_kv_u32(ByteWriter& w, const std::string& key, uint32_t v) {
  w.put_string(key);
  w.put<uint32_t>(static_cast<uint32_t>(GgufType::UINT32));
  w.put<uint32_t>(v);
}

inline void put_tensor_info(ByteWriter& w, const std::string& name, const std::vector<uint64_t>& dims,
                            uint32_t type, uint64_t offset) {
  w.put_string(name);
  w.put<uint32_t>(static_cast<uint32_t>(dims.size()));
  for (uint64_t d : dims) w.put<uint64_t>(d);
  w.put<uint32_t>(type);
  w.put<uint64_t>(offset);
}

// Parses `bytes` (an exactly sized copy); returns "" on success, else the error message.
inline std::string parse_error(const std::vector<uint8_t>& bytes) {
  std::unique_ptr<uint8_t[]> exact(new uint8_t[bytes.size() + (bytes.empty() ? 1 : 0)]);
  std::copy(bytes.begin(), bytes.end(), exact.get());
  try {
    GgufFile::parse(exact.get(), bytes.size(), "test.gguf");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace slm::test
