// Malformed GGUF files: each must give one clear slm::Error naming the field and the
// byte offset — never a crash, a hang or an allocation sized by a number in the file.
#include <gtest/gtest.h>

#include <limits>

#include "slm/gguf.h"
#include "tests/loader/gguf_builders.h"

namespace slm::test {
namespace {

constexpr uint32_t kF32 = 0;
constexpr uint32_t kQ4_0 = 2;
constexpr uint64_t kHuge = std::numeric_limits<uint64_t>::max();

// Asserts that parsing fails with a message containing every one of `parts`.
void expect_error(const std::vector<uint8_t>& bytes, std::initializer_list<std::string> parts) {
  const std::string err = parse_error(bytes);
  ASSERT_FALSE(err.empty()) << "file was accepted";
  EXPECT_NE(err.find(" at offset "), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << "error is not one line: " << err;
  for (const std::string& part : parts) EXPECT_NE(err.find(part), std::string::npos) << err;
}

// A valid file with metadata of several types and two tensors; the last tensor ends
// exactly at the end of the file, so every shorter prefix is truncated.
std::vector<uint8_t> valid_file() {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.block_count", 2);
  w.set_array_strings("tokenizer.ggml.tokens", {"<s>", "a", "bc"});
  const std::vector<float> scores = {0.f, -1.f, -2.f};
  w.set_array("tokenizer.ggml.scores", GgufType::FLOAT32, scores.data(), scores.size());
  w.set_bool("tokenizer.ggml.add_bos_token", true);
  const std::vector<float> a(8, 1.f);
  const std::vector<uint8_t> q(18, 0x11);
  w.add_tensor("a", GgmlType::F32, {8}, a.data(), 32);
  w.add_tensor("b", GgmlType::Q4_0, {32}, q.data(), 18);
  std::vector<uint8_t> bytes = w.to_bytes();
  const GgufFile f = GgufFile::parse(bytes.data(), bytes.size());
  bytes.resize(f.data_offset() + f.find_tensor("b")->offset + 18);  // drop trailing padding
  return bytes;
}

TEST(GgufMalformed, ValidBaseFileParses) { EXPECT_EQ(parse_error(valid_file()), ""); }

TEST(GgufMalformed, EveryTruncationIsAnError) {
  const std::vector<uint8_t> full = valid_file();
  for (size_t n = 0; n < full.size(); ++n) {
    const std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    const std::string err = parse_error(cut);
    EXPECT_FALSE(err.empty()) << "prefix of " << n << " bytes accepted";
    EXPECT_NE(err.find("offset"), std::string::npos) << err;
  }
}

TEST(GgufMalformed, BadMagicAndVersions) {
  std::vector<uint8_t> bytes = valid_file();
  bytes[0] = 'X';
  expect_error(bytes, {"magic", "not a GGUF file"});
  for (uint32_t version : {0u, 1u, 4u, 0x03000000u}) {
    ByteWriter w;
    put_header(w, 0, 0, version);
    expect_error(w.bytes(), {"version", "unsupported GGUF version"});
  }
  ByteWriter big_endian;
  put_header(big_endian, 0, 0, 0x03000000u);
  expect_error(big_endian.bytes(), {"big-endian"});
}

TEST(GgufMalformed, CountsLargerThanTheFile) {
  for (uint64_t n : {kHuge, uint64_t{1} << 40, uint64_t{1000}}) {
    ByteWriter tensors;
    put_header(tensors, n, 0);
    expect_error(tensors.bytes(), {"tensor_count", "cannot fit"});
    ByteWriter kvs;
    put_header(kvs, 0, n);
    expect_error(kvs.bytes(), {"kv_count", "cannot fit"});
  }
}

TEST(GgufMalformed, HugeStringAndArrayLengths) {
  for (uint64_t len : {kHuge, kHuge - 7, uint64_t{1} << 62, uint64_t{100}}) {
    ByteWriter key;
    put_header(key, 0, 1);
    key.put<uint64_t>(len);
    key.put_bytes("abcdefghijklmnop", 16);
    expect_error(key.bytes(), {"metadata[0]", "exceeds"});

    ByteWriter value;
    put_header(value, 0, 1);
    value.put_string("k");
    value.put<uint32_t>(static_cast<uint32_t>(GgufType::STRING));
    value.put<uint64_t>(len);
    value.put_bytes("abcdefgh", 8);
    expect_error(value.bytes(), {"'k'", "exceeds"});

    for (GgufType elem : {GgufType::UINT8, GgufType::UINT64, GgufType::STRING}) {
      ByteWriter array;
      put_header(array, 0, 1);
      array.put_string("arr");
      array.put<uint32_t>(static_cast<uint32_t>(GgufType::ARRAY));
      array.put<uint32_t>(static_cast<uint32_t>(elem));
      array.put<uint64_t>(len);
      array.put_bytes("abcdefgh", 8);
      expect_error(array.bytes(), {"'arr'", "array length", "cannot fit"});
    }
  }
}

TEST(GgufMalformed, StringArrayWithAnElementPastTheEnd) {
  ByteWriter w;
  put_header(w, 0, 1);
  w.put_string("arr");
  w.put<uint32_t>(static_cast<uint32_t>(GgufType::ARRAY));
  w.put<uint32_t>(static_cast<uint32_t>(GgufType::STRING));
  w.put<uint64_t>(2);
  w.put_string("ok");
  w.put<uint64_t>(1000);  // second element claims more bytes than remain
  w.put_bytes("xx", 2);
  expect_error(w.bytes(), {"'arr'[1]", "exceeds"});
}

TEST(GgufMalformed, BadValueTypesNestedArraysAndBools) {
  ByteWriter bad_type;
  put_header(bad_type, 0, 1);
  bad_type.put_string("k");
  bad_type.put<uint32_t>(13);
  bad_type.put<uint32_t>(0);
  expect_error(bad_type.bytes(), {"'k' type", "unknown value type 13"});

  ByteWriter nested;
  put_header(nested, 0, 1);
  nested.put_string("k");
  nested.put<uint32_t>(static_cast<uint32_t>(GgufType::ARRAY));
  nested.put<uint32_t>(static_cast<uint32_t>(GgufType::ARRAY));
  nested.put<uint64_t>(1);
  nested.put<uint32_t>(static_cast<uint32_t>(GgufType::UINT8));
  nested.put<uint64_t>(0);
  expect_error(nested.bytes(), {"nested arrays"});

  ByteWriter bad_elem;
  put_header(bad_elem, 0, 1);
  bad_elem.put_string("k");
  bad_elem.put<uint32_t>(static_cast<uint32_t>(GgufType::ARRAY));
  bad_elem.put<uint32_t>(0xFFFFFFFFu);
  bad_elem.put<uint64_t>(0);
  expect_error(bad_elem.bytes(), {"unknown value type 4294967295"});

  ByteWriter bad_bool;
  put_header(bad_bool, 0, 1);
  bad_bool.put_string("flag");
  bad_bool.put<uint32_t>(static_cast<uint32_t>(GgufType::BOOL));
  bad_bool.put<uint8_t>(2);
  expect_error(bad_bool.bytes(), {"'flag'", "invalid BOOL byte 2"});

  ByteWriter bad_bool_array;
  put_header(bad_bool_array, 0, 1);
  bad_bool_array.put_string("flags");
  bad_bool_array.put<uint32_t>(static_cast<uint32_t>(GgufType::ARRAY));
  bad_bool_array.put<uint32_t>(static_cast<uint32_t>(GgufType::BOOL));
  bad_bool_array.put<uint64_t>(3);
  bad_bool_array.put_bytes("\x01\x00\xFF", 3);
  expect_error(bad_bool_array.bytes(), {"'flags'[2]", "invalid BOOL byte 255"});
}

TEST(GgufMalformed, DuplicateAndEmptyKeys) {
  ByteWriter dup;
  put_header(dup, 0, 2);
  put_kv_u32(dup, "a.b", 1);
  put_kv_u32(dup, "a.b", 2);
  expect_error(dup.bytes(), {"'a.b'", "duplicate key"});

  ByteWriter empty;
  put_header(empty, 0, 1);
  put_kv_u32(empty, "", 1);
  expect_error(empty.bytes(), {"empty key"});
}

TEST(GgufMalformed, AlignmentMustBeANonZeroPowerOfTwoUint32) {
  for (uint32_t a : {0u, 3u, 48u, 0x80000001u}) {
    ByteWriter w;
    put_header(w, 0, 1);
    put_kv_u32(w, "general.alignment", a);
    expect_error(w.bytes(), {"general.alignment", "power of two"});
  }
  ByteWriter wrong_type;
  put_header(wrong_type, 0, 1);
  wrong_type.put_string("general.alignment");
  wrong_type.put<uint32_t>(static_cast<uint32_t>(GgufType::UINT64));
  wrong_type.put<uint64_t>(32);
  expect_error(wrong_type.bytes(), {"general.alignment", "expected UINT32"});
}

// One tensor info followed by `data_bytes` bytes of data at the default alignment.
std::vector<uint8_t> one_tensor(const std::string& name, const std::vector<uint64_t>& dims, uint32_t type,
                                uint64_t offset, size_t data_bytes) {
  ByteWriter w;
  put_header(w, 1, 0);
  put_tensor_info(w, name, dims, type, offset);
  w.pad_to(32);
  w.bytes().resize(w.size() + data_bytes, 0);
  return std::move(w.bytes());
}

TEST(GgufMalformed, TensorShapes) {
  EXPECT_EQ(parse_error(one_tensor("t", {4, 2}, kF32, 0, 32)), "");
  expect_error(one_tensor("t", {}, kF32, 0, 32), {"'t' n_dims", "0 dimensions"});
  expect_error(one_tensor("t", {1, 1, 1, 1, 1}, kF32, 0, 32), {"'t' n_dims", "5 dimensions"});
  expect_error(one_tensor("t", {4, 0}, kF32, 0, 32), {"'t' dims[1]", "dimension is 0"});
  expect_error(one_tensor("t", {kHuge, 2}, kF32, 0, 32), {"'t' dims[0]", "overflows"});
  expect_error(one_tensor("t", {uint64_t{1} << 32, uint64_t{1} << 32}, kF32, 0, 32), {"'t' dims[1]", "overflows"});
  // 2^62 F32 elements fit in int64, but their byte size does not fit in 64 bits.
  expect_error(one_tensor("t", {uint64_t{1} << 31, uint64_t{1} << 31}, kF32, 0, 32), {"'t' dims", "byte size overflows"});
  // 2^61 F32 elements have a 2^63-byte size: representable, but not inside this file.
  expect_error(one_tensor("t", {uint64_t{1} << 31, uint64_t{1} << 30}, kF32, 0, 32), {"'t' offset", "outside"});
  // Q4_0 rows must hold whole 32-element blocks.
  expect_error(one_tensor("t", {48}, kQ4_0, 0, 64), {"'t' dims[0]", "not a multiple", "Q4_0"});
}

TEST(GgufMalformed, TensorTypesAndNames) {
  for (uint32_t type : {4u, 5u, 31u, 36u, 40u, 1000u, 0xFFFFFFFFu}) {
    expect_error(one_tensor("t", {32}, type, 0, 128), {"'t' type", "unknown ggml type id"});
  }
  expect_error(one_tensor("", {8}, kF32, 0, 32), {"empty tensor name"});
  expect_error(one_tensor(std::string(64, 'x'), {8}, kF32, 0, 32), {"name is 64 bytes long"});
  EXPECT_EQ(parse_error(one_tensor(std::string(63, 'x'), {8}, kF32, 0, 32)), "");
}

TEST(GgufMalformed, TensorOffsets) {
  expect_error(one_tensor("t", {8}, kF32, 4, 64), {"'t' offset", "not a multiple of the alignment 32"});
  expect_error(one_tensor("t", {8}, kF32, 32, 32), {"'t' offset", "outside"});
  expect_error(one_tensor("t", {8}, kF32, kHuge - 31, 32), {"'t' offset"});
  expect_error(one_tensor("t", {16}, kF32, 0, 32), {"'t' offset", "outside"});  // 64 bytes needed
  // The data section itself past the end of the file.
  ByteWriter w;
  put_header(w, 1, 0);
  put_tensor_info(w, "t", {8}, kF32, 0);
  expect_error(w.bytes(), {"tensor data", "past the end"});
}

TEST(GgufMalformed, DuplicateAndOverlappingTensors) {
  ByteWriter dup;
  put_header(dup, 2, 0);
  put_tensor_info(dup, "t", {8}, kF32, 0);
  put_tensor_info(dup, "t", {8}, kF32, 32);
  dup.pad_to(32);
  dup.bytes().resize(dup.size() + 64, 0);
  expect_error(dup.bytes(), {"'t'", "duplicate tensor name"});

  ByteWriter overlap;
  put_header(overlap, 2, 0);
  put_tensor_info(overlap, "a", {16}, kF32, 0);  // bytes [0, 64)
  put_tensor_info(overlap, "b", {8}, kF32, 32);  // bytes [32, 64)
  overlap.pad_to(32);
  overlap.bytes().resize(overlap.size() + 64, 0);
  expect_error(overlap.bytes(), {"'b' offset", "overlaps tensor 'a'"});

  ByteWriter same;
  put_header(same, 2, 0);
  put_tensor_info(same, "a", {8}, kF32, 0);
  put_tensor_info(same, "b", {8}, kF32, 0);
  same.pad_to(32);
  same.bytes().resize(same.size() + 32, 0);
  expect_error(same.bytes(), {"overlaps"});
}

TEST(GgufMalformed, EmptyAndTinyFiles) {
  expect_error({}, {"magic", "truncated"});
  expect_error({'G', 'G', 'U', 'F'}, {"version", "truncated"});
}

}  // namespace
}  // namespace slm::test
