#include "slm/ggml_type.h"

#include <array>

#include "slm/error.h"

namespace slm {

namespace {

// Block geometry from ggml-common.h (facts: ../shared/docs/ARCH_FACTS.md §1.3-1.4).
constexpr GgmlTypeInfo kTypes[] = {
    {GgmlType::F32, "F32", 1, 4},          {GgmlType::F16, "F16", 1, 2},
    {GgmlType::Q4_0, "Q4_0", 32, 18},      {GgmlType::Q4_1, "Q4_1", 32, 20},
    {GgmlType::Q5_0, "Q5_0", 32, 22},      {GgmlType::Q5_1, "Q5_1", 32, 24},
    {GgmlType::Q8_0, "Q8_0", 32, 34},      {GgmlType::Q8_1, "Q8_1", 32, 36},
    {GgmlType::Q2_K, "Q2_K", 256, 84},     {GgmlType::Q3_K, "Q3_K", 256, 110},
    {GgmlType::Q4_K, "Q4_K", 256, 144},    {GgmlType::Q5_K, "Q5_K", 256, 176},
    {GgmlType::Q6_K, "Q6_K", 256, 210},    {GgmlType::Q8_K, "Q8_K", 256, 292},
    {GgmlType::IQ2_XXS, "IQ2_XXS", 256, 66}, {GgmlType::IQ2_XS, "IQ2_XS", 256, 74},
    {GgmlType::IQ3_XXS, "IQ3_XXS", 256, 98}, {GgmlType::IQ1_S, "IQ1_S", 256, 50},
    {GgmlType::IQ4_NL, "IQ4_NL", 32, 18},  {GgmlType::IQ3_S, "IQ3_S", 256, 110},
    {GgmlType::IQ2_S, "IQ2_S", 256, 82},   {GgmlType::IQ4_XS, "IQ4_XS", 256, 136},
    {GgmlType::I8, "I8", 1, 1},            {GgmlType::I16, "I16", 1, 2},
    {GgmlType::I32, "I32", 1, 4},          {GgmlType::I64, "I64", 1, 8},
    {GgmlType::F64, "F64", 1, 8},          {GgmlType::IQ1_M, "IQ1_M", 256, 56},
    {GgmlType::BF16, "BF16", 1, 2},        {GgmlType::TQ1_0, "TQ1_0", 256, 54},
    {GgmlType::TQ2_0, "TQ2_0", 256, 66},   {GgmlType::MXFP4, "MXFP4", 32, 17},
};

constexpr uint32_t kMaxId = 40;

// Dense id -> entry table, built once at compile time; gaps stay null.
constexpr std::array<const GgmlTypeInfo*, kMaxId> make_index() {
  std::array<const GgmlTypeInfo*, kMaxId> index{};
  for (const GgmlTypeInfo& info : kTypes) index[static_cast<uint32_t>(info.type)] = &info;
  return index;
}

constexpr std::array<const GgmlTypeInfo*, kMaxId> kIndex = make_index();

}  // namespace

const GgmlTypeInfo* ggml_type_info(uint32_t id) { return id < kMaxId ? kIndex[id] : nullptr; }

const GgmlTypeInfo& ggml_type_info(GgmlType type) {
  const GgmlTypeInfo* info = ggml_type_info(static_cast<uint32_t>(type));
  if (info == nullptr) throw Error("invalid ggml type id " + std::to_string(static_cast<uint32_t>(type)));
  return *info;
}

const char* ggml_type_name(GgmlType type) {
  const GgmlTypeInfo* info = ggml_type_info(static_cast<uint32_t>(type));
  return info != nullptr ? info->name : "?";
}

std::optional<GgmlType> ggml_type_from_name(std::string_view name) {
  for (const GgmlTypeInfo& info : kTypes) {
    if (name == info.name) return info.type;
  }
  return std::nullopt;
}

size_t row_size(GgmlType type, int64_t n) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  return static_cast<size_t>(n / info.block_elems) * info.block_bytes;
}

}  // namespace slm
