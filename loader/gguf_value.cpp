// Typed access to GGUF metadata values that stay as bytes inside the mapping.
#include <cstring>
#include <limits>

#include "slm/error.h"
#include "slm/gguf.h"

namespace slm {

namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // GGUF is little-endian, as is every CPU we target
  return v;
}

bool is_integer(GgufType t) {
  switch (t) {
    case GgufType::UINT8: case GgufType::INT8: case GgufType::UINT16: case GgufType::INT16:
    case GgufType::UINT32: case GgufType::INT32: case GgufType::UINT64: case GgufType::INT64:
      return true;
    default:
      return false;
  }
}

// Widens one encoded integer of type t; throws for UINT64 values that do not fit.
int64_t load_int(GgufType t, const uint8_t* p) {
  switch (t) {
    case GgufType::UINT8: return load<uint8_t>(p);
    case GgufType::INT8: return load<int8_t>(p);
    case GgufType::UINT16: return load<uint16_t>(p);
    case GgufType::INT16: return load<int16_t>(p);
    case GgufType::UINT32: return load<uint32_t>(p);
    case GgufType::INT32: return load<int32_t>(p);
    case GgufType::INT64: return load<int64_t>(p);
    case GgufType::UINT64: {
      const uint64_t v = load<uint64_t>(p);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw Error("integer value " + std::to_string(v) + " is out of range");
      }
      return static_cast<int64_t>(v);
    }
    default:
      throw Error(std::string("expected an integer, found ") + gguf_type_name(t));
  }
}

}  // namespace

const char* gguf_type_name(GgufType type) {
  switch (type) {
    case GgufType::UINT8: return "UINT8";
    case GgufType::INT8: return "INT8";
    case GgufType::UINT16: return "UINT16";
    case GgufType::INT16: return "INT16";
    case GgufType::UINT32: return "UINT32";
    case GgufType::INT32: return "INT32";
    case GgufType::FLOAT32: return "FLOAT32";
    case GgufType::BOOL: return "BOOL";
    case GgufType::STRING: return "STRING";
    case GgufType::ARRAY: return "ARRAY";
    case GgufType::UINT64: return "UINT64";
    case GgufType::INT64: return "INT64";
    case GgufType::FLOAT64: return "FLOAT64";
  }
  return "?";
}

size_t gguf_scalar_size(GgufType type) {
  switch (type) {
    case GgufType::UINT8: case GgufType::INT8: case GgufType::BOOL: return 1;
    case GgufType::UINT16: case GgufType::INT16: return 2;
    case GgufType::UINT32: case GgufType::INT32: case GgufType::FLOAT32: return 4;
    case GgufType::UINT64: case GgufType::INT64: case GgufType::FLOAT64: return 8;
    case GgufType::STRING: case GgufType::ARRAY: return 0;
  }
  return 0;
}

void GgufValue::expect(GgufType wanted) const {
  if (type_ != wanted) {
    throw Error(std::string("value has type ") + gguf_type_name(type_) + ", expected " +
                gguf_type_name(wanted));
  }
}

uint8_t GgufValue::as_u8() const { expect(GgufType::UINT8); return load<uint8_t>(bytes_); }
int8_t GgufValue::as_i8() const { expect(GgufType::INT8); return load<int8_t>(bytes_); }
uint16_t GgufValue::as_u16() const { expect(GgufType::UINT16); return load<uint16_t>(bytes_); }
int16_t GgufValue::as_i16() const { expect(GgufType::INT16); return load<int16_t>(bytes_); }
uint32_t GgufValue::as_u32() const { expect(GgufType::UINT32); return load<uint32_t>(bytes_); }
int32_t GgufValue::as_i32() const { expect(GgufType::INT32); return load<int32_t>(bytes_); }
uint64_t GgufValue::as_u64() const { expect(GgufType::UINT64); return load<uint64_t>(bytes_); }
int64_t GgufValue::as_i64() const { expect(GgufType::INT64); return load<int64_t>(bytes_); }
float GgufValue::as_f32() const { expect(GgufType::FLOAT32); return load<float>(bytes_); }
double GgufValue::as_f64() const { expect(GgufType::FLOAT64); return load<double>(bytes_); }
bool GgufValue::as_bool() const { expect(GgufType::BOOL); return bytes_[0] != 0; }

std::string_view GgufValue::as_string() const {
  expect(GgufType::STRING);
  // The parser checked that the length prefix and the bytes lie inside the value.
  return {reinterpret_cast<const char*>(bytes_ + 8), size_ - 8};
}

int64_t GgufValue::as_int() const {
  if (!is_integer(type_)) {
    throw Error(std::string("value has type ") + gguf_type_name(type_) + ", expected an integer");
  }
  return load_int(type_, bytes_);
}

double GgufValue::as_float() const {
  if (type_ == GgufType::FLOAT32) return load<float>(bytes_);
  if (type_ == GgufType::FLOAT64) return load<double>(bytes_);
  throw Error(std::string("value has type ") + gguf_type_name(type_) + ", expected a float");
}

GgufType GgufValue::array_type() const { expect(GgufType::ARRAY); return elem_type_; }

uint64_t GgufValue::array_size() const { expect(GgufType::ARRAY); return count_; }

std::vector<std::string_view> GgufValue::array_strings() const {
  if (array_type() != GgufType::STRING) {
    throw Error(std::string("array of ") + gguf_type_name(elem_type_) + ", expected array of STRING");
  }
  // count_ strings were validated to fit in size_ bytes, so this loop stays inside.
  std::vector<std::string_view> out;
  out.reserve(count_);
  size_t pos = 0;
  for (uint64_t i = 0; i < count_; ++i) {
    const uint64_t len = load<uint64_t>(bytes_ + pos);
    out.emplace_back(reinterpret_cast<const char*>(bytes_ + pos + 8), len);
    pos += 8 + len;
  }
  return out;
}

std::vector<int64_t> GgufValue::array_ints() const {
  const GgufType t = array_type();
  if (!is_integer(t)) {
    throw Error(std::string("array of ") + gguf_type_name(t) + ", expected array of integers");
  }
  const size_t step = gguf_scalar_size(t);
  std::vector<int64_t> out;
  out.reserve(count_);
  for (uint64_t i = 0; i < count_; ++i) out.push_back(load_int(t, bytes_ + i * step));
  return out;
}

std::vector<float> GgufValue::array_floats() const {
  const GgufType t = array_type();
  std::vector<float> out;
  out.reserve(count_);
  if (t == GgufType::FLOAT32) {
    for (uint64_t i = 0; i < count_; ++i) out.push_back(load<float>(bytes_ + i * 4));
  } else if (t == GgufType::FLOAT64) {
    for (uint64_t i = 0; i < count_; ++i) out.push_back(static_cast<float>(load<double>(bytes_ + i * 8)));
  } else {
    throw Error(std::string("array of ") + gguf_type_name(t) + ", expected array of floats");
  }
  return out;
}

}  // namespace slm
