// The GGUF parser. Immune by construction to crafted files: every length and count is
// checked against the bytes that remain before it is used, arithmetic on file numbers
// is overflow-checked, nothing is allocated from a count, and every failure names the
// field and the byte offset where it was read.
#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "loader/mapped_file.h"
#include "slm/error.h"
#include "slm/gguf.h"

namespace slm {

namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian u32
// Smallest encodings, used to reject counts the remaining bytes cannot hold.
constexpr size_t kMinKvBytes = 8 + 4 + 1;               // key length, type, 1-byte value
constexpr size_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // name length, n_dims, 1 dim, type, offset

bool is_known_value_type(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::FLOAT64); }

// The name of a field for error messages, assembled only when an error is reported so
// that the hot loops over array elements build no strings.
struct Field {
  Field(std::string_view base, const char* suffix = "", int64_t index = -1)  // NOLINT: implicit from strings
      : base_(base), suffix_(suffix), index_(index) {}
  Field(const std::string& base, const char* suffix = "", int64_t index = -1)  // NOLINT
      : Field(std::string_view(base), suffix, index) {}
  Field(const char* base) : Field(std::string_view(base)) {}  // NOLINT
  std::string str() const {
    std::string s(base_);
    if (index_ >= 0) s += "[" + std::to_string(index_) + "]";
    return s + suffix_;
  }
  std::string_view base_;
  const char* suffix_;
  int64_t index_;
};

// Reads little-endian fields from [base, base+size) and reports failures with context.
class Cursor {
 public:
  Cursor(const uint8_t* base, size_t size, const std::string& file) : base_(base), size_(size), file_(file) {}

  size_t pos() const { return pos_; }
  const uint8_t* base_at(size_t at) const { return base_ + at; }
  size_t remaining() const { return size_ - pos_; }

  [[noreturn]] void fail(size_t at, const Field& field, const std::string& problem) const {
    throw Error(file_ + ": " + field.str() + " at offset " + std::to_string(at) + ": " + problem);
  }

  // Returns a pointer to the next n bytes and advances past them.
  const uint8_t* take(uint64_t n, const Field& field) {
    if (n > remaining()) {
      fail(pos_, field, "truncated: needs " + std::to_string(n) + " bytes, " +
                            std::to_string(remaining()) + " remain in the file");
    }
    const uint8_t* p = base_ + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }

  template <typename T>
  T read(const Field& field) {
    T v;
    std::memcpy(&v, take(sizeof v, field), sizeof v);
    return v;
  }

  // A gguf string: u64 length, then the bytes.
  std::string_view string(const Field& field) {
    const size_t at = pos_;
    const uint64_t len = read<uint64_t>(field);
    if (len > remaining()) {
      fail(at, field, "string length " + std::to_string(len) + " exceeds the " +
                          std::to_string(remaining()) + " bytes that remain");
    }
    return {reinterpret_cast<const char*>(take(len, field)), static_cast<size_t>(len)};
  }

 private:
  const uint8_t* base_;
  size_t size_;
  size_t pos_ = 0;
  const std::string& file_;
};

std::string quoted(std::string_view s) {
  std::string q;  // built by appends: operator+ here trips a GCC 12 -Wrestrict false positive
  q.reserve(s.size() + 2);
  q += '\'';
  q.append(s);
  q += '\'';
  return q;
}

}  // namespace

class GgufParser {
 public:
  GgufParser(GgufFile& out, const std::string& file) : out_(out), in_(out.base_, out.size_, file) {}

  void parse() {
    parse_header();
    for (uint64_t i = 0; i < kv_count_; ++i) parse_kv(i);
    apply_alignment();
    for (uint64_t i = 0; i < tensor_count_; ++i) parse_tensor_info(i);
    place_tensors();
  }

 private:
  void parse_header() {
    const uint32_t magic = in_.read<uint32_t>("magic");
    if (magic != kMagic) in_.fail(0, "magic", "not a GGUF file (expected the bytes 'GGUF')");
    const uint32_t version = in_.read<uint32_t>("version");
    if (version != 2 && version != 3) {
      std::string why = "unsupported GGUF version " + std::to_string(version) + " (supported: 2, 3)";
      if ((version & 0xFFFF) == 0 && version != 0) why += "; the file may be big-endian";
      in_.fail(4, "version", why);
    }
    out_.version_ = version;
    tensor_count_ = in_.read<uint64_t>("tensor_count");
    kv_count_ = in_.read<uint64_t>("kv_count");
    if (tensor_count_ > in_.remaining() / kMinTensorInfoBytes) {
      in_.fail(8, "tensor_count", std::to_string(tensor_count_) + " tensors cannot fit in the " +
                                      std::to_string(in_.remaining()) + " bytes that remain");
    }
    if (kv_count_ > in_.remaining() / kMinKvBytes) {
      in_.fail(16, "kv_count", std::to_string(kv_count_) + " key-value pairs cannot fit in the " +
                                   std::to_string(in_.remaining()) + " bytes that remain");
    }
  }

  void parse_kv(uint64_t index) {
    const size_t at = in_.pos();
    const std::string field = "metadata[" + std::to_string(index) + "]";
    const std::string_view key = in_.string(field + " key");
    if (key.empty()) in_.fail(at, field + " key", "empty key");
    const std::string named = "metadata key " + quoted(key);
    if (out_.kv_index_.count(key) != 0) in_.fail(at, named, "duplicate key");
    const GgufValue value = parse_value(named);
    out_.kv_index_.emplace(key, out_.kvs_.size());
    out_.kvs_.push_back(GgufKv{key, value, at});
  }

  GgufValue parse_value(const std::string& field) {
    const size_t type_at = in_.pos();
    const uint32_t type_id = in_.read<uint32_t>(field + " type");
    if (!is_known_value_type(type_id)) {
      in_.fail(type_at, field + " type", "unknown value type " + std::to_string(type_id));
    }
    const auto type = static_cast<GgufType>(type_id);
    const size_t value_at = in_.pos();
    if (type == GgufType::ARRAY) return parse_array(field);
    const uint8_t* bytes = in_.base_at(value_at);
    parse_scalar(type, field);
    return GgufValue(type, bytes, in_.pos() - value_at, type, 0);
  }

  // Consumes one scalar or string of `type`, checking BOOL is 0 or 1.
  void parse_scalar(GgufType type, const Field& field) {
    const size_t at = in_.pos();
    if (type == GgufType::STRING) {
      in_.string(field);
      return;
    }
    const uint8_t* p = in_.take(gguf_scalar_size(type), field);
    if (type == GgufType::BOOL && *p > 1) {
      in_.fail(at, field, "invalid BOOL byte " + std::to_string(*p) + " (must be 0 or 1)");
    }
  }

  GgufValue parse_array(const std::string& field) {
    const size_t type_at = in_.pos();
    const uint32_t elem_id = in_.read<uint32_t>(field + " array element type");
    if (elem_id == static_cast<uint32_t>(GgufType::ARRAY)) {
      in_.fail(type_at, field + " array element type", "nested arrays are not supported");
    }
    if (!is_known_value_type(elem_id)) {
      in_.fail(type_at, field + " array element type", "unknown value type " + std::to_string(elem_id));
    }
    const auto elem = static_cast<GgufType>(elem_id);
    const size_t count_at = in_.pos();
    const uint64_t count = in_.read<uint64_t>(field + " array length");
    const size_t min_elem = elem == GgufType::STRING ? 8 : gguf_scalar_size(elem);
    if (count > in_.remaining() / min_elem) {
      in_.fail(count_at, field + " array length", std::to_string(count) + " elements of " +
                                                      gguf_type_name(elem) + " cannot fit in the " +
                                                      std::to_string(in_.remaining()) + " bytes that remain");
    }
    const size_t start = in_.pos();
    if (elem == GgufType::STRING || elem == GgufType::BOOL) {
      for (uint64_t i = 0; i < count; ++i) parse_scalar(elem, Field(field, "", static_cast<int64_t>(i)));
    } else {
      in_.take(count * min_elem, field);  // cannot overflow: count <= remaining / min_elem
    }
    return GgufValue(GgufType::ARRAY, in_.base_at(start), in_.pos() - start, elem, count);
  }

  void apply_alignment() {
    const auto it = out_.kv_index_.find("general.alignment");
    if (it == out_.kv_index_.end()) return;
    const GgufKv& kv = out_.kvs_[it->second];
    const std::string field = "metadata key 'general.alignment'";
    if (kv.value.type() != GgufType::UINT32) {
      in_.fail(kv.file_offset, field, std::string("has type ") + gguf_type_name(kv.value.type()) +
                                          ", expected UINT32");
    }
    const uint32_t a = kv.value.as_u32();
    if (a == 0 || (a & (a - 1)) != 0) {
      in_.fail(kv.file_offset, field, "alignment " + std::to_string(a) + " is not a non-zero power of two");
    }
    out_.alignment_ = a;
  }

  void parse_tensor_info(uint64_t index) {
    const size_t at = in_.pos();
    const std::string_view name = in_.string("tensor[" + std::to_string(index) + "] name");
    const std::string field = "tensor " + quoted(name);
    if (name.empty()) in_.fail(at, field, "empty tensor name");
    if (name.size() > kGgufMaxTensorName) {
      in_.fail(at, field, "name is " + std::to_string(name.size()) + " bytes long (at most " +
                              std::to_string(kGgufMaxTensorName) + ")");
    }
    if (out_.tensor_index_.count(name) != 0) in_.fail(at, field, "duplicate tensor name");

    GgufTensor t{};
    t.name = name;
    const size_t dims_at = in_.pos();
    t.n_dims = in_.read<uint32_t>(field + " n_dims");
    if (t.n_dims == 0 || t.n_dims > kGgufMaxDims) {
      in_.fail(dims_at, field + " n_dims", std::to_string(t.n_dims) + " dimensions (must be 1 to " +
                                               std::to_string(kGgufMaxDims) + ")");
    }
    t.dims.fill(1);
    uint64_t n_elements = 1;
    for (uint32_t d = 0; d < t.n_dims; ++d) {
      const size_t dim_at = in_.pos();
      const std::string dim_field = field + " dims[" + std::to_string(d) + "]";
      const uint64_t dim = in_.read<uint64_t>(dim_field);
      if (dim == 0) in_.fail(dim_at, dim_field, "dimension is 0");
      constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
      if (dim > kMax || n_elements > kMax / dim) {
        in_.fail(dim_at, dim_field, "element count overflows (dimension " + std::to_string(dim) + ")");
      }
      n_elements *= dim;
      t.dims[d] = static_cast<int64_t>(dim);
    }
    t.n_elements = n_elements;

    const size_t type_at = in_.pos();
    const uint32_t type_id = in_.read<uint32_t>(field + " type");
    const GgmlTypeInfo* info = ggml_type_info(type_id);
    if (info == nullptr) in_.fail(type_at, field + " type", "unknown ggml type id " + std::to_string(type_id));
    t.type = info->type;
    if (static_cast<uint64_t>(t.dims[0]) % info->block_elems != 0) {
      in_.fail(dims_at, field + " dims[0]", "row length " + std::to_string(t.dims[0]) +
                                                " is not a multiple of the " + info->name + " block size " +
                                                std::to_string(info->block_elems));
    }
    const uint64_t n_blocks = n_elements / info->block_elems;
    if (n_blocks > std::numeric_limits<uint64_t>::max() / info->block_bytes) {
      in_.fail(dims_at, field + " dims", "byte size overflows");
    }
    t.n_bytes = n_blocks * info->block_bytes;

    const size_t offset_at = in_.pos();
    t.offset = in_.read<uint64_t>(field + " offset");
    if (t.offset % out_.alignment_ != 0) {
      in_.fail(offset_at, field + " offset", "offset " + std::to_string(t.offset) +
                                                 " is not a multiple of the alignment " +
                                                 std::to_string(out_.alignment_));
    }
    info_offsets_.push_back(offset_at);
    out_.tensor_index_.emplace(name, out_.tensors_.size());
    out_.tensors_.push_back(t);
  }

  // Fixes the data section after the (aligned) end of the tensor infos and checks that
  // every tensor lies inside it and that no two tensors overlap.
  void place_tensors() {
    const uint64_t a = out_.alignment_;
    const uint64_t end = in_.pos();
    const uint64_t data_offset = end + (a - end % a) % a;
    out_.data_offset_ = data_offset;
    if (out_.tensors_.empty()) return;  // vocab-only files may end right after the metadata
    if (data_offset > out_.size_) {
      in_.fail(in_.pos(), "tensor data", "data section starts at " + std::to_string(data_offset) +
                                             ", past the end of the file (" + std::to_string(out_.size_) +
                                             " bytes)");
    }
    const uint64_t data_size = out_.size_ - data_offset;
    for (size_t i = 0; i < out_.tensors_.size(); ++i) {
      GgufTensor& t = out_.tensors_[i];
      if (t.offset > data_size || t.n_bytes > data_size - t.offset) {
        in_.fail(info_offsets_[i], "tensor " + quoted(t.name) + " offset",
                 "data [" + std::to_string(t.offset) + ", +" + std::to_string(t.n_bytes) +
                     ") lies outside the data section of " + std::to_string(data_size) + " bytes");
      }
      t.data = out_.base_ + data_offset + t.offset;
    }
    std::vector<size_t> order(out_.tensors_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t x, size_t y) { return out_.tensors_[x].offset < out_.tensors_[y].offset; });
    for (size_t k = 1; k < order.size(); ++k) {
      const GgufTensor& prev = out_.tensors_[order[k - 1]];
      const GgufTensor& cur = out_.tensors_[order[k]];
      if (cur.offset < prev.offset + prev.n_bytes) {
        in_.fail(info_offsets_[order[k]], "tensor " + quoted(cur.name) + " offset",
                 "data overlaps tensor " + quoted(prev.name));
      }
    }
  }

  GgufFile& out_;
  Cursor in_;
  uint64_t tensor_count_ = 0;
  uint64_t kv_count_ = 0;
  std::vector<size_t> info_offsets_;  // where each tensor's offset field was read
};

GgufFile GgufFile::open(const std::string& path) {
  auto mapping = std::make_shared<MappedFile>(path);
  GgufFile file = parse(mapping->data(), mapping->size(), path);
  file.mapping_ = std::move(mapping);
  return file;
}

GgufFile GgufFile::parse(const uint8_t* data, size_t size, std::string display_name) {
  GgufFile file;
  file.path_ = std::move(display_name);
  file.base_ = data;
  file.size_ = size;
  GgufParser(file, file.path_).parse();
  return file;
}

GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

const GgufValue* GgufFile::find(std::string_view key) const {
  const auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

const GgufValue& GgufFile::get(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) throw Error(path_ + ": missing metadata key " + quoted(key));
  return *v;
}

namespace {

// Runs a typed accessor and prefixes its type error with the file and key.
template <typename F>
auto typed(const std::string& path, std::string_view key, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    throw Error(path + ": metadata key " + quoted(key) + ": " + e.what());
  }
}

}  // namespace

std::string_view GgufFile::get_string(std::string_view key) const {
  const GgufValue& v = get(key);
  return typed(path_, key, [&] { return v.as_string(); });
}
uint32_t GgufFile::get_u32(std::string_view key) const {
  const GgufValue& v = get(key);
  return typed(path_, key, [&] { return v.as_u32(); });
}
int64_t GgufFile::get_int(std::string_view key) const {
  const GgufValue& v = get(key);
  return typed(path_, key, [&] { return v.as_int(); });
}
double GgufFile::get_float(std::string_view key) const {
  const GgufValue& v = get(key);
  return typed(path_, key, [&] { return v.as_float(); });
}
bool GgufFile::get_bool(std::string_view key) const {
  const GgufValue& v = get(key);
  return typed(path_, key, [&] { return v.as_bool(); });
}
std::string_view GgufFile::get_string_or(std::string_view key, std::string_view fallback) const {
  return find(key) == nullptr ? fallback : get_string(key);
}
int64_t GgufFile::get_int_or(std::string_view key, int64_t fallback) const {
  return find(key) == nullptr ? fallback : get_int(key);
}
double GgufFile::get_float_or(std::string_view key, double fallback) const {
  return find(key) == nullptr ? fallback : get_float(key);
}
bool GgufFile::get_bool_or(std::string_view key, bool fallback) const {
  return find(key) == nullptr ? fallback : get_bool(key);
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace slm
