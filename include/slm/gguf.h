// GGUF (v2/v3) files: a validating zero-copy reader over a read-only memory map, and
// a writer. Every number taken from a file is checked before use; a bad file gives an
// slm::Error naming the field and its byte offset, never a crash or a huge allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "slm/ggml_type.h"

namespace slm {

enum class GgufType : uint32_t {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
};

// "UINT32", "STRING", ...; "?" for a value outside the enum.
const char* gguf_type_name(GgufType type);
// Encoded size of one scalar of `type`; 0 for STRING and ARRAY (variable length).
size_t gguf_scalar_size(GgufType type);

inline constexpr uint32_t kGgufDefaultAlignment = 32;
inline constexpr size_t kGgufMaxDims = 4;
inline constexpr size_t kGgufMaxTensorName = 63;  // ggml's GGML_MAX_NAME - 1

// One metadata value, as bytes inside the mapping (never copied). Scalars are read
// with the typed accessors; arrays expose their element type and count.
class GgufValue {
 public:
  GgufValue() = default;
  GgufValue(GgufType type, const uint8_t* bytes, size_t size, GgufType elem_type, uint64_t count)
      : type_(type), bytes_(bytes), size_(size), elem_type_(elem_type), count_(count) {}

  GgufType type() const { return type_; }
  // Encoded bytes of the value (for an array: the elements, after type and count).
  const uint8_t* bytes() const { return bytes_; }
  size_t size() const { return size_; }

  // Each accessor throws slm::Error when the stored type differs.
  uint8_t as_u8() const;
  int8_t as_i8() const;
  uint16_t as_u16() const;
  int16_t as_i16() const;
  uint32_t as_u32() const;
  int32_t as_i32() const;
  uint64_t as_u64() const;
  int64_t as_i64() const;
  float as_f32() const;
  double as_f64() const;
  bool as_bool() const;
  std::string_view as_string() const;
  // Any integer type, widened; throws for non-integers and for UINT64 values above INT64_MAX.
  int64_t as_int() const;
  // FLOAT32 or FLOAT64.
  double as_float() const;

  bool is_array() const { return type_ == GgufType::ARRAY; }
  GgufType array_type() const;  // element type; throws if not an array
  uint64_t array_size() const;  // element count; throws if not an array
  // Elements of an array of strings / of any integer type / of FLOAT32 or FLOAT64.
  std::vector<std::string_view> array_strings() const;
  std::vector<int64_t> array_ints() const;
  std::vector<float> array_floats() const;

 private:
  void expect(GgufType wanted) const;
  GgufType type_ = GgufType::UINT8;
  const uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
  GgufType elem_type_ = GgufType::UINT8;  // arrays only
  uint64_t count_ = 0;                    // arrays only
};

struct GgufKv {
  std::string_view key;
  GgufValue value;
  uint64_t file_offset;  // where the key's length prefix starts, for messages
};

struct GgufTensor {
  std::string_view name;
  GgmlType type;
  uint32_t n_dims;
  std::array<int64_t, kGgufMaxDims> dims;  // dims[0] is contiguous (ggml ne[0]); unused = 1
  uint64_t offset;                         // relative to the data section
  uint64_t n_elements;
  uint64_t n_bytes;
  const uint8_t* data;  // inside the mapping
  int64_t row_length() const { return dims[0]; }
  int64_t n_rows() const { return static_cast<int64_t>(n_elements / static_cast<uint64_t>(dims[0])); }
};

class MappedFile;

class GgufFile {
 public:
  // Maps `path` read-only and parses it. Throws slm::Error on any problem.
  static GgufFile open(const std::string& path);
  // Parses a buffer the caller keeps alive for the lifetime of the result.
  static GgufFile parse(const uint8_t* data, size_t size, std::string display_name = "<memory>");

  GgufFile(GgufFile&&) noexcept;
  GgufFile& operator=(GgufFile&&) noexcept;
  ~GgufFile();

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // absolute file offset of tensor data
  size_t file_size() const { return size_; }
  const uint8_t* file_data() const { return base_; }

  const std::vector<GgufKv>& metadata() const { return kvs_; }
  const GgufValue* find(std::string_view key) const;
  // Throws slm::Error "missing key 'k'" when absent.
  const GgufValue& get(std::string_view key) const;
  // Typed getters: throw when the key is missing or stored with another type
  // (get_int accepts any integer type, get_float FLOAT32 or FLOAT64).
  std::string_view get_string(std::string_view key) const;
  uint32_t get_u32(std::string_view key) const;
  int64_t get_int(std::string_view key) const;
  double get_float(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  // Same, with a value for a missing key (a mistyped key still throws).
  std::string_view get_string_or(std::string_view key, std::string_view fallback) const;
  int64_t get_int_or(std::string_view key, int64_t fallback) const;
  double get_float_or(std::string_view key, double fallback) const;
  bool get_bool_or(std::string_view key, bool fallback) const;

  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  const GgufTensor* find_tensor(std::string_view name) const;

 private:
  GgufFile() = default;
  friend class GgufParser;
  std::shared_ptr<MappedFile> mapping_;  // null when parsing a caller's buffer
  std::string path_;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t data_offset_ = 0;
  std::vector<GgufKv> kvs_;
  std::vector<GgufTensor> tensors_;
  std::unordered_map<std::string_view, size_t> kv_index_;
  std::unordered_map<std::string_view, size_t> tensor_index_;
};

// Builds GGUF files. It writes what it is told (tests use it to build broken files
// too); GgufFile is the validator. Tensors are placed in the order added, each at an
// offset aligned to the file's alignment.
class GgufWriter {
 public:
  explicit GgufWriter(uint32_t version = 3) : version_(version) {}

  void set_u8(const std::string& key, uint8_t v);
  void set_i8(const std::string& key, int8_t v);
  void set_u16(const std::string& key, uint16_t v);
  void set_i16(const std::string& key, int16_t v);
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_u64(const std::string& key, uint64_t v);
  void set_i64(const std::string& key, int64_t v);
  void set_f32(const std::string& key, float v);
  void set_f64(const std::string& key, double v);
  void set_bool(const std::string& key, bool v);
  void set_string(const std::string& key, std::string_view v);
  // An array of `count` scalars of `elem_type`, given as their little-endian bytes.
  void set_array(const std::string& key, GgufType elem_type, const void* elems, uint64_t count);
  void set_array_strings(const std::string& key, const std::vector<std::string>& elems);
  // A copy of a value read from another file (any type, arrays included).
  void set_value(const std::string& key, const GgufValue& value);
  // general.alignment as UINT32; tensor offsets follow it.
  void set_alignment(uint32_t alignment);

  // `dims` in file order (dims[0] contiguous). `data` must hold the tensor's bytes.
  void add_tensor(const std::string& name, GgmlType type, const std::vector<int64_t>& dims,
                  const void* data, size_t n_bytes);

  std::vector<uint8_t> to_bytes() const;
  void write(const std::string& path) const;  // throws slm::Error on I/O failure

 private:
  struct Kv {
    std::string key;
    std::vector<uint8_t> encoded;  // type tag + value
  };
  struct Tensor {
    std::string name;
    GgmlType type;
    std::vector<int64_t> dims;
    std::vector<uint8_t> data;
  };
  void set_encoded(const std::string& key, std::vector<uint8_t> encoded);
  uint32_t version_;
  uint32_t alignment_ = kGgufDefaultAlignment;
  std::vector<Kv> kvs_;
  std::vector<Tensor> tensors_;
};

}  // namespace slm
