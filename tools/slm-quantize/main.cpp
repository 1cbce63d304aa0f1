// slm-quantize IN.gguf OUT.gguf TYPE [--pure] [-t THREADS]
// Re-encodes a model's weight matrices (from F32, F16, BF16 or any type slm can decode)
// as llama-quantize does for the same file type: same per-tensor type choices, same
// metadata plus general.file_type, so llama.cpp loads the result as its own.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "quant_mix.h"
#include "slm/error.h"
#include "slm/gguf.h"
#include "slm/quant.h"

namespace slm::tools {

namespace {

struct Options {
  std::string input, output, type;
  bool pure = false;
  int threads = 0;
};

int int_or(const GgufFile& f, const std::string& key, int fallback) {
  const GgufValue* v = f.find(key);
  if (v == nullptr) return fallback;
  if (v->is_array()) {  // per-layer values: the first layer's
    const std::vector<int64_t> all = v->array_ints();
    return all.empty() ? fallback : static_cast<int>(all.front());
  }
  return static_cast<int>(v->as_int());
}

ModelShape shape_of(const GgufFile& f) {
  const std::string arch(f.get_string_or("general.architecture", ""));
  ModelShape s;
  s.n_layer = int_or(f, arch + ".block_count", 0);
  const int n_head = int_or(f, arch + ".attention.head_count", 1);
  const int n_head_kv = int_or(f, arch + ".attention.head_count_kv", n_head);
  s.n_gqa = n_head_kv > 0 ? n_head / n_head_kv : 1;
  s.tied_output = true;
  for (const GgufTensor& t : f.tensors()) {
    if (t.name == "output.weight") s.tied_output = false;
    if (is_attention_v(t.name)) ++s.n_attention_v;
  }
  return s;
}

// Rows of `t` decoded to f32 and encoded as `type`, split across threads.
std::vector<uint8_t> convert(const GgufTensor& t, GgmlType type, int n_threads) {
  const int64_t n_cols = t.row_length(), n_rows = t.n_rows();
  const size_t in_row = t.n_bytes / static_cast<size_t>(n_rows);
  const size_t out_row = row_size(type, n_cols);
  std::vector<uint8_t> out(out_row * static_cast<size_t>(n_rows));
  const int64_t per_thread = (n_rows + n_threads - 1) / n_threads;
  std::vector<std::thread> workers;
  std::exception_ptr failure;
  std::mutex failure_lock;
  for (int w = 0; w < n_threads; ++w) {
    workers.emplace_back([&, w] {
      try {
        std::vector<float> row(static_cast<size_t>(n_cols));
        for (int64_t r = w * per_thread; r < std::min(n_rows, (w + 1) * per_thread); ++r) {
          dequantize_row(t.type, t.data + static_cast<size_t>(r) * in_row, row.data(), n_cols);
          quantize_row(type, row.data(), out.data() + static_cast<size_t>(r) * out_row, n_cols);
        }
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_lock);
        failure = std::current_exception();
      }
    });
  }
  for (std::thread& th : workers) th.join();
  if (failure) std::rethrow_exception(failure);
  return out;
}

// The layer of "blk.N.…", -1 for tensors outside the layers.
int layer_of(std::string_view name) {
  int layer = -1;
  return std::sscanf(std::string(name).c_str(), "blk.%d.", &layer) == 1 ? layer : -1;
}

// llama-quantize's order: tensors outside the layers, then layer by layer; by name within
// each group. The mix rules count attention-V and FFN-down tensors in this order.
std::vector<const GgufTensor*> quantize_order(const GgufFile& f) {
  std::vector<const GgufTensor*> order;
  for (const GgufTensor& t : f.tensors()) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(), [](const GgufTensor* a, const GgufTensor* b) {
    const int la = layer_of(a->name), lb = layer_of(b->name);
    return la != lb ? la < lb : a->name < b->name;
  });
  return order;
}

void quantize_file(const Options& o) {
  const std::optional<FileType> type = find_file_type(o.type);
  if (!type) throw Error("unknown type '" + o.type + "'; one of " + file_type_names());
  const auto start = std::chrono::steady_clock::now();
  const GgufFile in = GgufFile::open(o.input);
  MixPlanner planner(*type, shape_of(in), o.pure);
  const int n_threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  GgufWriter out(3);
  // As llama-quantize: the two keys it sets come last.
  for (const GgufKv& kv : in.metadata()) {
    if (kv.key != "general.quantization_version" && kv.key != "general.file_type") out.set_value(std::string(kv.key), kv.value);
  }
  if (in.find("general.alignment") != nullptr) out.set_alignment(in.alignment());
  out.set_u32("general.quantization_version", 2);
  out.set_u32("general.file_type", type->ftype);

  std::map<std::string, int> counts;
  uint64_t bytes_in = 0, bytes_out = 0;
  for (const GgufTensor* tensor : quantize_order(in)) {
    const GgufTensor& t = *tensor;
    const std::optional<GgmlType> to = planner.choose(t.name, t.n_dims, t.row_length());
    std::vector<int64_t> dims(t.dims.begin(), t.dims.begin() + t.n_dims);
    bytes_in += t.n_bytes;
    if (!to || *to == t.type) {
      out.add_tensor(std::string(t.name), t.type, dims, t.data, t.n_bytes);
      bytes_out += t.n_bytes;
      ++counts[ggml_type_info(t.type).name];
      continue;
    }
    if (!can_dequantize(t.type)) throw Error(std::string(t.name) + ": cannot decode its type " + ggml_type_info(t.type).name);
    if (!can_quantize(*to)) throw Error(std::string("quantization to ") + ggml_type_info(*to).name + " is not supported");
    const std::vector<uint8_t> data = convert(t, *to, n_threads);
    out.add_tensor(std::string(t.name), *to, dims, data.data(), data.size());
    bytes_out += data.size();
    ++counts[ggml_type_info(*to).name];
  }
  out.write(o.output);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string summary;
  for (const auto& [name, n] : counts) summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + name;
  std::fprintf(stderr, "%s: %zu tensors (%s); tensor data %.1f MiB -> %.1f MiB in %.1f s\n", o.output.c_str(),
               in.tensors().size(), summary.c_str(), static_cast<double>(bytes_in) / (1 << 20),
               static_cast<double>(bytes_out) / (1 << 20), seconds);
}

}  // namespace

}  // namespace slm::tools

int main(int argc, char** argv) {
  CLI::App app{"slm-quantize: write a GGUF model with its weights in another type, as llama-quantize does"};
  slm::tools::Options o;
  app.add_option("input", o.input, "Source GGUF (F32, F16, BF16 or quantized)")->required();
  app.add_option("output", o.output, "GGUF file to write")->required();
  app.add_option("type", o.type, "Target: " + slm::tools::file_type_names())->required();
  app.add_flag("--pure", o.pure, "Every weight matrix in the base type (no mix; fallbacks still apply)");
  app.add_option("-t,--threads", o.threads, "Threads (default: all cores)")->check(CLI::Range(0, 1024));
  try {
    app.parse(argc, argv);
    slm::tools::quantize_file(o);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slm-quantize: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
