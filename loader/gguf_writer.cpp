// GgufWriter: serializes metadata and tensors into the GGUF v3 layout.
#include <cstdio>
#include <memory>

#include "loader/byte_writer.h"
#include "slm/error.h"
#include "slm/gguf.h"

namespace slm {

namespace {

template <typename T>
std::vector<uint8_t> encode_scalar(GgufType type, T v) {
  ByteWriter w;
  w.put<uint32_t>(static_cast<uint32_t>(type));
  w.put<T>(v);
  return std::move(w.bytes());
}

}  // namespace

void GgufWriter::set_encoded(const std::string& key, std::vector<uint8_t> encoded) {
  for (Kv& kv : kvs_) {
    if (kv.key == key) {  // setting a key again replaces it, keeping its position
      kv.encoded = std::move(encoded);
      return;
    }
  }
  kvs_.push_back(Kv{key, std::move(encoded)});
}

void GgufWriter::set_u8(const std::string& key, uint8_t v) { set_encoded(key, encode_scalar(GgufType::UINT8, v)); }
void GgufWriter::set_i8(const std::string& key, int8_t v) { set_encoded(key, encode_scalar(GgufType::INT8, v)); }
void GgufWriter::set_u16(const std::string& key, uint16_t v) { set_encoded(key, encode_scalar(GgufType::UINT16, v)); }
void GgufWriter::set_i16(const std::string& key, int16_t v) { set_encoded(key, encode_scalar(GgufType::INT16, v)); }
void GgufWriter::set_u32(const std::string& key, uint32_t v) { set_encoded(key, encode_scalar(GgufType::UINT32, v)); }
void GgufWriter::set_i32(const std::string& key, int32_t v) { set_encoded(key, encode_scalar(GgufType::INT32, v)); }
void GgufWriter::set_u64(const std::string& key, uint64_t v) { set_encoded(key, encode_scalar(GgufType::UINT64, v)); }
void GgufWriter::set_i64(const std::string& key, int64_t v) { set_encoded(key, encode_scalar(GgufType::INT64, v)); }
void GgufWriter::set_f32(const std::string& key, float v) { set_encoded(key, encode_scalar(GgufType::FLOAT32, v)); }
void GgufWriter::set_f64(const std::string& key, double v) { set_encoded(key, encode_scalar(GgufType::FLOAT64, v)); }
void GgufWriter::set_bool(const std::string& key, bool v) {
  set_encoded(key, encode_scalar(GgufType::BOOL, static_cast<uint8_t>(v ? 1 : 0)));
}

void GgufWriter::set_string(const std::string& key, std::string_view v) {
  ByteWriter w;
  w.put<uint32_t>(static_cast<uint32_t>(GgufType::STRING));
  w.put_string(v);
  set_encoded(key, std::move(w.bytes()));
}

void GgufWriter::set_array(const std::string& key, GgufType elem_type, const void* elems, uint64_t count) {
  const size_t elem_size = gguf_scalar_size(elem_type);
  if (elem_size == 0) throw Error(std::string("set_array: ") + gguf_type_name(elem_type) + " is not a scalar type");
  ByteWriter w;
  w.put<uint32_t>(static_cast<uint32_t>(GgufType::ARRAY));
  w.put<uint32_t>(static_cast<uint32_t>(elem_type));
  w.put<uint64_t>(count);
  w.put_bytes(elems, count * elem_size);
  set_encoded(key, std::move(w.bytes()));
}

void GgufWriter::set_array_strings(const std::string& key, const std::vector<std::string>& elems) {
  ByteWriter w;
  w.put<uint32_t>(static_cast<uint32_t>(GgufType::ARRAY));
  w.put<uint32_t>(static_cast<uint32_t>(GgufType::STRING));
  w.put<uint64_t>(elems.size());
  for (const std::string& s : elems) w.put_string(s);
  set_encoded(key, std::move(w.bytes()));
}

void GgufWriter::set_value(const std::string& key, const GgufValue& value) {
  ByteWriter w;
  w.put<uint32_t>(static_cast<uint32_t>(value.type()));
  if (value.is_array()) {  // the value's bytes are the elements, after type and count
    w.put<uint32_t>(static_cast<uint32_t>(value.array_type()));
    w.put<uint64_t>(value.array_size());
  }
  w.put_bytes(value.bytes(), value.size());
  set_encoded(key, std::move(w.bytes()));
}

void GgufWriter::set_alignment(uint32_t alignment) {
  alignment_ = alignment;
  set_u32("general.alignment", alignment);
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, const std::vector<int64_t>& dims,
                            const void* data, size_t n_bytes) {
  const auto* p = static_cast<const uint8_t*>(data);
  tensors_.push_back(Tensor{name, type, dims, std::vector<uint8_t>(p, p + n_bytes)});
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
  // An alignment of 0 is written as asked (tests need such files) but laid out with 1.
  const size_t align = alignment_ == 0 ? 1 : alignment_;
  ByteWriter w;
  w.put<uint32_t>(0x46554747);  // "GGUF"
  w.put<uint32_t>(version_);
  w.put<uint64_t>(tensors_.size());
  w.put<uint64_t>(kvs_.size());
  for (const Kv& kv : kvs_) {
    w.put_string(kv.key);
    w.put_bytes(kv.encoded.data(), kv.encoded.size());
  }
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    w.put_string(t.name);
    w.put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
    for (int64_t d : t.dims) w.put<uint64_t>(static_cast<uint64_t>(d));
    w.put<uint32_t>(static_cast<uint32_t>(t.type));
    w.put<uint64_t>(offset);
    offset += t.data.size();
    offset += (align - offset % align) % align;
  }
  if (!tensors_.empty()) w.pad_to(align);
  for (const Tensor& t : tensors_) {
    w.put_bytes(t.data.data(), t.data.size());
    w.pad_to(align);
  }
  return std::move(w.bytes());
}

void GgufWriter::write(const std::string& path) const {
  const std::vector<uint8_t> bytes = to_bytes();
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) throw Error(path + ": cannot create file");
  if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size()) {
    throw Error(path + ": write failed");
  }
  if (std::fclose(f.release()) != 0) throw Error(path + ": write failed");
}

}  // namespace slm
