// slm-run info FILE [--json]: what a GGUF file holds — architecture, parameter count,
// quant mix, tokenizer summary, every metadata key and the tensor table.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "slm/gguf.h"

namespace slm::tools {

namespace {

constexpr size_t kArrayPreview = 8;    // array elements shown in text output
constexpr size_t kStringPreview = 72;  // characters of a long string shown in text output

// One element of a scalar array as JSON.
nlohmann::json array_element(GgufType t, const uint8_t* p) {
  return GgufValue(t, p, gguf_scalar_size(t), t, 0).type() == GgufType::FLOAT32 ||
                 t == GgufType::FLOAT64
             ? nlohmann::json(GgufValue(t, p, gguf_scalar_size(t), t, 0).as_float())
         : t == GgufType::BOOL ? nlohmann::json(*p != 0)
                               : nlohmann::json(GgufValue(t, p, gguf_scalar_size(t), t, 0).as_int());
}

// The first `limit` elements of an array (all when limit is 0).
nlohmann::json array_elements(const GgufValue& v, size_t limit) {
  const uint64_t n = limit == 0 ? v.array_size() : std::min<uint64_t>(v.array_size(), limit);
  nlohmann::json out = nlohmann::json::array();
  if (v.array_type() == GgufType::STRING) {
    const auto strings = v.array_strings();
    for (uint64_t i = 0; i < n; ++i) out.push_back(std::string(strings[i]));
    return out;
  }
  const size_t step = gguf_scalar_size(v.array_type());
  for (uint64_t i = 0; i < n; ++i) out.push_back(array_element(v.array_type(), v.bytes() + i * step));
  return out;
}

nlohmann::json scalar_json(const GgufValue& v) {
  switch (v.type()) {
    case GgufType::STRING: return std::string(v.as_string());
    case GgufType::BOOL: return v.as_bool();
    case GgufType::FLOAT32: case GgufType::FLOAT64: return v.as_float();
    case GgufType::UINT64: return v.as_u64();
    default: return v.as_int();
  }
}

std::string escaped_preview(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kStringPreview)) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (static_cast<unsigned char>(c) < 0x20) out += '?';
    else out += c;
  }
  if (s.size() > kStringPreview) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string dims_text(const GgufTensor& t) {
  std::string s = "[";
  for (uint32_t d = 0; d < t.n_dims; ++d) s += (d ? ", " : "") + std::to_string(t.dims[d]);
  return s + "]";
}

struct QuantMixRow {
  size_t tensors = 0;
  uint64_t bytes = 0;
};

struct Summary {
  uint64_t n_params = 0;
  std::map<std::string, QuantMixRow> mix;  // by type name
};

Summary summarize(const GgufFile& f) {
  Summary s;
  for (const GgufTensor& t : f.tensors()) {
    s.n_params += t.n_elements;
    QuantMixRow& row = s.mix[ggml_type_name(t.type)];
    row.tensors += 1;
    row.bytes += t.n_bytes;
  }
  return s;
}

// Tokenizer facts straight from the metadata (the tokenizer itself is not built).
nlohmann::json tokenizer_json(const GgufFile& f) {
  nlohmann::json tok = nlohmann::json::object();
  if (f.find("tokenizer.ggml.model") == nullptr) return tok;
  tok["model"] = std::string(f.get_string("tokenizer.ggml.model"));
  tok["pre"] = std::string(f.get_string_or("tokenizer.ggml.pre", ""));
  std::vector<std::string_view> tokens;
  if (const GgufValue* v = f.find("tokenizer.ggml.tokens"); v != nullptr && v->is_array()) {
    tokens = v->array_strings();
  }
  tok["n_tokens"] = tokens.size();
  for (const char* name : {"bos", "eos", "eot", "unknown", "padding"}) {
    const std::string key = std::string("tokenizer.ggml.") + name + "_token_id";
    if (f.find(key) == nullptr) continue;
    const int64_t id = f.get_int(key);
    nlohmann::json entry = {{"id", id}};
    if (id >= 0 && static_cast<uint64_t>(id) < tokens.size()) entry["text"] = std::string(tokens[id]);
    tok[name] = entry;
  }
  if (const GgufValue* m = f.find("tokenizer.ggml.merges"); m != nullptr && m->is_array()) {
    tok["n_merges"] = m->array_size();
  }
  for (const char* flag : {"add_bos_token", "add_eos_token", "add_space_prefix"}) {
    const std::string key = std::string("tokenizer.ggml.") + flag;
    if (f.find(key) != nullptr) tok[flag] = f.get_bool(key);
  }
  tok["chat_template"] = f.find("tokenizer.chat_template") != nullptr;
  return tok;
}

nlohmann::json info_json(const GgufFile& f, double open_ms) {
  const Summary s = summarize(f);
  nlohmann::json j;
  j["file"] = f.path();
  j["size"] = f.file_size();
  j["version"] = f.version();
  j["open_ms"] = open_ms;
  j["architecture"] = std::string(f.get_string_or("general.architecture", ""));
  j["n_params"] = s.n_params;
  j["tensor_count"] = f.tensors().size();
  j["kv_count"] = f.metadata().size();
  j["alignment"] = f.alignment();
  j["data_offset"] = f.data_offset();
  for (const auto& [type, row] : s.mix) {
    j["quant_mix"].push_back({{"type", type}, {"tensors", row.tensors}, {"bytes", row.bytes}});
  }
  j["tokenizer"] = tokenizer_json(f);
  j["kv"] = nlohmann::json::array();
  for (const GgufKv& kv : f.metadata()) {
    nlohmann::json e = {{"key", std::string(kv.key)}, {"type", gguf_type_name(kv.value.type())}};
    if (kv.value.is_array()) {
      e["element_type"] = gguf_type_name(kv.value.array_type());
      e["length"] = kv.value.array_size();
      e["head"] = array_elements(kv.value, kArrayPreview);
    } else {
      e["value"] = scalar_json(kv.value);
    }
    j["kv"].push_back(e);
  }
  j["tensors"] = nlohmann::json::array();
  for (const GgufTensor& t : f.tensors()) {
    j["tensors"].push_back({{"name", std::string(t.name)},
                            {"ggml_type", ggml_type_name(t.type)},
                            {"ggml_type_id", static_cast<uint32_t>(t.type)},
                            {"dims", std::vector<int64_t>(t.dims.begin(), t.dims.begin() + t.n_dims)},
                            {"offset", t.offset},
                            {"n_bytes", t.n_bytes}});
  }
  return j;
}

void print_text(const GgufFile& f, double open_ms) {
  const nlohmann::json j = info_json(f, open_ms);
  const Summary s = summarize(f);
  std::printf("file:          %s\n", f.path().c_str());
  std::printf("format:        GGUF v%u, %zu bytes, opened in %.2f ms\n", f.version(), f.file_size(), open_ms);
  std::printf("architecture:  %s\n", j["architecture"].get<std::string>().c_str());
  if (const GgufValue* name = f.find("general.name"); name != nullptr && name->type() == GgufType::STRING) {
    std::printf("name:          %s\n", escaped_preview(name->as_string()).c_str());
  }
  std::printf("parameters:    %.2f M (%llu)\n", static_cast<double>(s.n_params) / 1e6,
              static_cast<unsigned long long>(s.n_params));
  std::printf("tensors:       %zu, data at offset %llu, alignment %u\n", f.tensors().size(),
              static_cast<unsigned long long>(f.data_offset()), f.alignment());
  std::printf("quant mix:\n");
  uint64_t total = 0;
  for (const auto& [type, row] : s.mix) total += row.bytes;
  for (const auto& [type, row] : s.mix) {
    std::printf("  %-8s %5zu tensors %14llu bytes %6.2f%%\n", type.c_str(), row.tensors,
                static_cast<unsigned long long>(row.bytes), total ? 100.0 * static_cast<double>(row.bytes) / static_cast<double>(total) : 0.0);
  }
  const nlohmann::json& tok = j["tokenizer"];
  if (tok.contains("model")) {
    std::string line = tok["model"].get<std::string>() + ", pre '" + tok["pre"].get<std::string>() + "', " +
                       std::to_string(tok["n_tokens"].get<size_t>()) + " tokens";
    if (tok.contains("n_merges")) line += ", " + std::to_string(tok["n_merges"].get<uint64_t>()) + " merges";
    for (const char* name : {"bos", "eos", "eot", "unknown", "padding"}) {
      if (!tok.contains(name)) continue;
      line += std::string(", ") + name + " " + std::to_string(tok[name]["id"].get<int64_t>());
      if (tok[name].contains("text")) line += " '" + escaped_preview(tok[name]["text"].get<std::string>()) + "'";
    }
    for (const char* flag : {"add_bos_token", "add_eos_token", "add_space_prefix"}) {
      if (tok.contains(flag)) line += std::string(", ") + flag + "=" + (tok[flag].get<bool>() ? "true" : "false");
    }
    line += tok["chat_template"].get<bool>() ? ", chat template" : ", no chat template";
    std::printf("tokenizer:     %s\n", line.c_str());
  } else {
    std::printf("tokenizer:     none\n");
  }
  std::printf("metadata (%zu keys):\n", f.metadata().size());
  for (const GgufKv& kv : f.metadata()) {
    std::string value;
    if (kv.value.is_array()) {
      const nlohmann::json head = array_elements(kv.value, kArrayPreview);
      value = std::string("[") + gguf_type_name(kv.value.array_type()) + " x " +
              std::to_string(kv.value.array_size()) + "] " +
              escaped_preview(head.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      if (kv.value.array_size() > kArrayPreview) value += " ...";
    } else if (kv.value.type() == GgufType::STRING) {
      value = escaped_preview(kv.value.as_string());
    } else {
      value = scalar_json(kv.value).dump();
    }
    std::printf("  %-44s %-8s %s\n", std::string(kv.key).c_str(), gguf_type_name(kv.value.type()), value.c_str());
  }
  std::printf("tensors (%zu):\n", f.tensors().size());
  std::printf("  %-40s %-8s %-22s %14s %12s\n", "name", "type", "shape", "offset", "bytes");
  for (const GgufTensor& t : f.tensors()) {
    std::printf("  %-40s %-8s %-22s %14llu %12llu\n", std::string(t.name).c_str(), ggml_type_name(t.type),
                dims_text(t).c_str(), static_cast<unsigned long long>(t.offset),
                static_cast<unsigned long long>(t.n_bytes));
  }
}

struct InfoOptions {
  std::string path;
  bool json = false;
};

void run_info(const InfoOptions& opt) {
  const auto start = std::chrono::steady_clock::now();
  const GgufFile f = GgufFile::open(opt.path);
  const double open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (opt.json) {
    std::printf("%s\n", info_json(f, open_ms).dump(1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    print_text(f, open_ms);
  }
}

}  // namespace

void register_info(CLI::App& app) {
  auto opt = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a GGUF file: metadata, tokenizer, quant mix, tensors");
  cmd->add_option("FILE", opt->path, "GGUF model file")->required();
  cmd->add_flag("--json", opt->json, "Print one JSON object instead of text");
  cmd->callback([opt] { run_info(*opt); });
}

}  // namespace slm::tools
