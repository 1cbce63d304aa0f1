// GgufWriter -> GgufFile: every value type, arrays, alignment, tensors and typed getters.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "slm/error.h"
#include "slm/gguf.h"
#include "tests/loader/gguf_builders.h"

namespace slm {
namespace {

GgufFile parse_bytes(const std::vector<uint8_t>& bytes) {
  return GgufFile::parse(bytes.data(), bytes.size(), "roundtrip.gguf");
}

TEST(GgufRoundTrip, EveryScalarTypeReadsBack) {
  GgufWriter w;
  w.set_u8("t.u8", 200);
  w.set_i8("t.i8", -100);
  w.set_u16("t.u16", 60000);
  w.set_i16("t.i16", -30000);
  w.set_u32("t.u32", 4000000000u);
  w.set_i32("t.i32", -2000000000);
  w.set_u64("t.u64", 18000000000000000000ull);
  w.set_i64("t.i64", -9000000000000000000ll);
  w.set_f32("t.f32", 0.15625f);
  w.set_f64("t.f64", -1e300);
  w.set_bool("t.bool", true);
  w.set_string("t.str", "héllo\nworld");
  const std::vector<uint8_t> bytes = w.to_bytes();
  const GgufFile f = parse_bytes(bytes);
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.metadata().size(), 12u);
  EXPECT_EQ(f.get("t.u8").as_u8(), 200);
  EXPECT_EQ(f.get("t.i8").as_i8(), -100);
  EXPECT_EQ(f.get("t.u16").as_u16(), 60000);
  EXPECT_EQ(f.get("t.i16").as_i16(), -30000);
  EXPECT_EQ(f.get_u32("t.u32"), 4000000000u);
  EXPECT_EQ(f.get("t.i32").as_i32(), -2000000000);
  EXPECT_EQ(f.get("t.u64").as_u64(), 18000000000000000000ull);
  EXPECT_EQ(f.get("t.i64").as_i64(), -9000000000000000000ll);
  EXPECT_EQ(f.get("t.f32").as_f32(), 0.15625f);
  EXPECT_EQ(f.get("t.f64").as_f64(), -1e300);
  EXPECT_TRUE(f.get_bool("t.bool"));
  EXPECT_EQ(f.get_string("t.str"), "héllo\nworld");
  // Widening accessors.
  EXPECT_EQ(f.get_int("t.u8"), 200);
  EXPECT_EQ(f.get_int("t.i64"), -9000000000000000000ll);
  EXPECT_DOUBLE_EQ(f.get_float("t.f32"), 0.15625);
  // A UINT64 above INT64_MAX does not fit get_int.
  EXPECT_THROW(f.get_int("t.u64"), Error);
  EXPECT_TRUE(f.data_offset() >= bytes.size());
  EXPECT_TRUE(f.tensors().empty());
}

TEST(GgufRoundTrip, TypedGettersNameMissingAndMistypedKeys) {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  const std::vector<uint8_t> bytes = w.to_bytes();
  const GgufFile f = parse_bytes(bytes);
  try {
    f.get_u32("llama.block_count");
    FAIL() << "no error for a missing key";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing metadata key 'llama.block_count'"), std::string::npos) << e.what();
  }
  try {
    f.get_u32("general.architecture");
    FAIL() << "no error for a mistyped key";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'general.architecture'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("STRING"), std::string::npos) << e.what();
  }
  EXPECT_EQ(f.get_int_or("llama.block_count", 7), 7);
  EXPECT_EQ(f.get_string_or("general.name", "none"), "none");
  EXPECT_THROW(f.get_int_or("general.architecture", 7), Error);
}

TEST(GgufRoundTrip, ArraysOfEveryElementType) {
  GgufWriter w;
  const std::vector<int32_t> ints = {-1, 0, 7, 2147483647};
  const std::vector<float> floats = {0.5f, -2.0f, 1e-30f};
  const std::vector<double> doubles = {1.5, -0.25};
  const std::vector<uint8_t> bools = {1, 0, 1};
  const std::vector<uint64_t> empty;
  w.set_array("a.i32", GgufType::INT32, ints.data(), ints.size());
  w.set_array("a.f32", GgufType::FLOAT32, floats.data(), floats.size());
  w.set_array("a.f64", GgufType::FLOAT64, doubles.data(), doubles.size());
  w.set_array("a.bool", GgufType::BOOL, bools.data(), bools.size());
  w.set_array("a.empty", GgufType::UINT64, empty.data(), 0);
  w.set_array_strings("a.str", {"", "▁the", std::string("nul\0byte", 8)});
  const std::vector<uint8_t> bytes = w.to_bytes();
  const GgufFile f = parse_bytes(bytes);
  EXPECT_EQ(f.get("a.i32").array_ints(), std::vector<int64_t>({-1, 0, 7, 2147483647}));
  EXPECT_EQ(f.get("a.f32").array_floats(), floats);
  EXPECT_EQ(f.get("a.f64").array_floats(), std::vector<float>({1.5f, -0.25f}));
  EXPECT_EQ(f.get("a.bool").array_type(), GgufType::BOOL);
  EXPECT_EQ(f.get("a.bool").array_size(), 3u);
  EXPECT_EQ(f.get("a.empty").array_size(), 0u);
  const auto strings = f.get("a.str").array_strings();
  ASSERT_EQ(strings.size(), 3u);
  EXPECT_EQ(strings[0], "");
  EXPECT_EQ(strings[1], "▁the");
  EXPECT_EQ(strings[2], std::string_view("nul\0byte", 8));
  EXPECT_THROW(f.get("a.str").array_ints(), Error);
  EXPECT_THROW(f.get("a.i32").array_strings(), Error);
  EXPECT_THROW(f.get("a.i32").as_u32(), Error);
}

// set_value copies any value of a parsed file, byte for byte (what slm-quantize relies on).
TEST(GgufRoundTrip, SetValueCopiesEveryKindOfValue) {
  GgufWriter w;
  const std::vector<int32_t> ints = {-1, 0, 7};
  w.set_u8("s.u8", 200);
  w.set_f64("s.f64", -0.125);
  w.set_bool("s.bool", true);
  w.set_string("s.str", "gemma3");
  w.set_array("a.i32", GgufType::INT32, ints.data(), ints.size());
  w.set_array_strings("a.str", {"<s>", "", "▁x"});
  const std::vector<uint8_t> original = w.to_bytes();
  const GgufFile f = parse_bytes(original);
  GgufWriter copy;
  for (const GgufKv& kv : f.metadata()) copy.set_value(std::string(kv.key), kv.value);
  EXPECT_EQ(copy.to_bytes(), original);
}

TEST(GgufRoundTrip, TensorsAreZeroCopyViewsAtAlignedOffsets) {
  for (uint32_t alignment : {1u, 32u, 64u, 4096u}) {
    GgufWriter w;
    w.set_alignment(alignment);
    std::vector<float> a(5 * 3);
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i) * 0.5f;
    std::vector<uint8_t> q(2 * 18, 0xAB);  // two Q4_0 blocks: one row of 64
    w.add_tensor("a", GgmlType::F32, {5, 3}, a.data(), a.size() * sizeof(float));
    w.add_tensor("b.weight", GgmlType::Q4_0, {64}, q.data(), q.size());
    const std::vector<uint8_t> bytes = w.to_bytes();
    const GgufFile f = parse_bytes(bytes);
    EXPECT_EQ(f.alignment(), alignment);
    EXPECT_EQ(f.data_offset() % alignment, 0u);
    ASSERT_EQ(f.tensors().size(), 2u);
    const GgufTensor* ta = f.find_tensor("a");
    ASSERT_NE(ta, nullptr);
    EXPECT_EQ(ta->n_dims, 2u);
    EXPECT_EQ(ta->dims[0], 5);
    EXPECT_EQ(ta->dims[1], 3);
    EXPECT_EQ(ta->dims[2], 1);
    EXPECT_EQ(ta->n_elements, 15u);
    EXPECT_EQ(ta->n_bytes, 60u);
    EXPECT_EQ(ta->n_rows(), 3);
    EXPECT_EQ(ta->data, bytes.data() + f.data_offset() + ta->offset);  // a view, not a copy
    EXPECT_EQ(std::memcmp(ta->data, a.data(), 60), 0);
    const GgufTensor* tb = f.find_tensor("b.weight");
    ASSERT_NE(tb, nullptr);
    EXPECT_EQ(tb->type, GgmlType::Q4_0);
    EXPECT_EQ(tb->n_bytes, 36u);
    EXPECT_EQ(tb->offset % alignment, 0u);
    EXPECT_EQ(std::memcmp(tb->data, q.data(), 36), 0);
    EXPECT_EQ(f.find_tensor("missing"), nullptr);
  }
}

TEST(GgufRoundTrip, Version2ReadsLikeVersion3) {
  GgufWriter w(2);
  w.set_u32("x", 1);
  const std::vector<uint8_t> bytes = w.to_bytes();
  const GgufFile f = parse_bytes(bytes);
  EXPECT_EQ(f.version(), 2u);
  EXPECT_EQ(f.get_u32("x"), 1u);
}

TEST(GgufRoundTrip, WriteToFileAndMapIt) {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  const std::vector<float> v(32, 1.0f);
  w.add_tensor("t", GgmlType::F32, {32}, v.data(), v.size() * 4);
  const std::string path = ::testing::TempDir() + "/slm_roundtrip.gguf";
  w.write(path);
  const GgufFile f = GgufFile::open(path);
  EXPECT_EQ(f.path(), path);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  ASSERT_NE(f.find_tensor("t"), nullptr);
  float first = 0;
  std::memcpy(&first, f.find_tensor("t")->data, 4);
  EXPECT_EQ(first, 1.0f);
  EXPECT_THROW(GgufFile::open(path + ".does-not-exist"), Error);
  EXPECT_THROW(GgufFile::open(::testing::TempDir()), Error);  // a directory
}

}  // namespace
}  // namespace slm
