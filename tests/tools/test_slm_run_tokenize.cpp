// `slm-run tokenize` / `slm-run detokenize` end to end, one text per process as the CLI
// contract says: every llama.cpp vector in ../shared/vocab comes out as the expected ids
// line; pieces, special-token options, detokenize round trips and error exits. Also the
// C API's vocabulary-only models (slm_model_load_vocab) and slm_token_to_piece.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "slm/slm.h"
#include "slm/slm.hpp"
#include "tests/support/test_data.h"
#include "tests/tokenizer/vocab_cases.h"

namespace slm::test {
namespace {

namespace fs = std::filesystem;

std::string slm_run() { return shell_quote(tools_dir() + "/slm-run"); }
std::string vocab(const std::string& name) { return shared_path("vocab/ggml-vocab-" + name + ".gguf"); }

// A private temporary folder for the texts piped into slm-run.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "slm_tokenize_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `bytes` to a new file in the folder and returns its path.
  std::string file(const std::string& bytes) {
    const std::string p = path_ + "/in" + std::to_string(count_++);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

 private:
  std::string path_;
  int count_ = 0;
};

// Runs `slm-run <command> -m model <args>` with `input` (exact bytes) on standard input.
CommandResult run(TempDir& tmp, const std::string& command, const std::string& model, const std::string& args,
                  const std::string& input) {
  return run_command(slm_run() + " " + command + " -m " + shell_quote(model) + (args.empty() ? "" : " " + args) +
                     " < " + shell_quote(tmp.file(input)));
}

// One line on stderr and nothing on stdout, exit status 1.
void expect_one_line_error(const CommandResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 1) << what << "\nstderr: " << r.err;
  EXPECT_EQ(r.out, "") << what;
  ASSERT_FALSE(r.err.empty()) << what;
  EXPECT_EQ(r.err.back(), '\n') << what;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << "\nstderr: " << r.err;
  EXPECT_EQ(r.err.rfind("slm-run: error: ", 0), 0u) << r.err;
}

// Parses a --pieces line (JSON strings separated by single spaces, then "\n"); \udcXX
// escapes give the byte XX. nullopt when the line does not follow the format.
std::optional<std::vector<std::string>> parse_pieces(const std::string& line) {
  std::vector<std::string> pieces;
  if (line.empty() || line.back() != '\n') return std::nullopt;
  const size_t end = line.size() - 1;
  size_t i = 0;
  const auto hex4 = [&](size_t at) -> std::optional<unsigned> {
    if (at + 4 > end) return std::nullopt;
    unsigned v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const char c = line[k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else return std::nullopt;
    }
    return v;
  };
  while (i < end) {
    if (!pieces.empty()) {
      if (line[i] != ' ') return std::nullopt;
      ++i;
    }
    if (i >= end || line[i] != '"') return std::nullopt;
    ++i;
    std::string p;
    while (true) {
      if (i >= end) return std::nullopt;
      const unsigned char c = static_cast<unsigned char>(line[i]);
      if (c == '"') break;
      if (c < 0x20 || c == 0x7F) return std::nullopt;  // must be escaped
      if (c != '\\') {
        p += static_cast<char>(c);
        ++i;
        continue;
      }
      if (i + 1 >= end) return std::nullopt;
      const char e = line[i + 1];
      i += 2;
      switch (e) {
        case '"': p += '"'; break;
        case '\\': p += '\\'; break;
        case '/': p += '/'; break;
        case 'b': p += '\b'; break;
        case 'f': p += '\f'; break;
        case 'n': p += '\n'; break;
        case 'r': p += '\r'; break;
        case 't': p += '\t'; break;
        case 'u': {
          const auto v = hex4(i);
          if (!v || (*v >= 0x80 && !(*v >= 0xDC80 && *v <= 0xDCFF))) return std::nullopt;  // only these escapes
          p += static_cast<char>(*v >= 0xDC80 ? *v - 0xDC00 : *v);
          i += 4;
          break;
        }
        default: return std::nullopt;
      }
    }
    ++i;  // closing quote
    pieces.push_back(std::move(p));
  }
  return pieces;
}

std::string ids_line(const std::vector<TokenId>& ids) { return ids_to_string(ids) + "\n"; }

// ---- llama.cpp's vectors -----------------------------------------------------------------

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).filename().string();  // ggml-vocab-<name>.gguf
  name = name.substr(11, name.size() - 11 - 5);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// Each text of <file>.inp through `slm-run tokenize --no-add-special`, one process per
// text; stdout must be exactly the ids line of <file>.out.
void check_vectors(const std::string& model, const std::string& vectors_base) {
  const auto cases = read_vocab_cases(vectors_base + ".inp", vectors_base + ".out");
  ASSERT_GE(cases.size(), 40u);
  TempDir tmp;
  size_t ok = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const CommandResult r = run(tmp, "tokenize", model, "--no-add-special", cases[i].text);
    const std::string want = ids_line(cases[i].expected);
    EXPECT_EQ(r.exit_code, 0) << "case " << i << ": " << r.err;
    EXPECT_EQ(r.err, "") << "case " << i;
    EXPECT_EQ(r.out, want) << "case " << i << " text '" << cases[i].text << "'";
    ok += r.exit_code == 0 && r.out == want;
  }
  std::printf("[slm-run tokenize] %s: %zu/%zu\n", fs::path(vectors_base).filename().c_str(), ok, cases.size());
}

class SlmRunTokenizeVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(SlmRunTokenizeVectors, EveryTextGivesTheExpectedIds) { check_vectors(GetParam(), GetParam()); }

INSTANTIATE_TEST_SUITE_P(Vocab, SlmRunTokenizeVectors, ::testing::ValuesIn(vocab_files_with_vectors()), param_name);

TEST(SlmRunTokenize, AllVocabFilesAreCovered) {
  EXPECT_GE(vocab_files_with_vectors().size(), 8u) << "expected the ggml-vocab-*.gguf files in " << shared_path("vocab");
}

// The real models (full files; only their vocabulary is loaded).
TEST(SlmRunTokenize, Gemma3Vectors) {
  const std::string model = gemma_path();
  if (model.empty()) return;
  check_vectors(model, shared_path("vocab/gemma-3-270m-q4_k_m.gguf"));
}

TEST(SlmRunTokenize, SmolLM2Vectors) {
  const std::string model = smollm2_path();
  if (model.empty()) return;
  check_vectors(model, shared_path("vocab/SmolLM2-135M-Instruct.Q4_1.gguf"));
}

// ---- tokenize options ----------------------------------------------------------------------

TEST(SlmRunTokenize, SpecialTokensAddedByDefault) {
  TempDir tmp;
  // llama-spm adds BOS (1); gpt-2 adds nothing.
  EXPECT_EQ(run(tmp, "tokenize", vocab("llama-spm"), "", "Hello world").out, "1 15043 3186\n");
  EXPECT_EQ(run(tmp, "tokenize", vocab("llama-spm"), "--ids", "Hello world").out, "1 15043 3186\n");
  EXPECT_EQ(run(tmp, "tokenize", vocab("llama-spm"), "--no-add-special", "Hello world").out, "15043 3186\n");
  EXPECT_EQ(run(tmp, "tokenize", vocab("gpt-2"), "", "Hello world").out, "15496 995\n");
  // The input is taken exactly: a trailing newline is a token, nothing is added.
  EXPECT_EQ(run(tmp, "tokenize", vocab("gpt-2"), "", "Hello world\n").out, "15496 995 198\n");
  // Empty input: BOS alone, or an empty line.
  EXPECT_EQ(run(tmp, "tokenize", vocab("llama-spm"), "", "").out, "1\n");
  const CommandResult empty = run(tmp, "tokenize", vocab("gpt-2"), "", "");
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.out, "\n");
}

TEST(SlmRunTokenize, ParseSpecialOnVocabFile) {
  TempDir tmp;
  const std::string text = "<|endoftext|>Hi";
  const CommandResult parsed = run(tmp, "tokenize", vocab("qwen2"), "--no-add-special --parse-special", text);
  const CommandResult plain = run(tmp, "tokenize", vocab("qwen2"), "--no-add-special", text);
  EXPECT_EQ(parsed.out, "151643 13048\n");
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_NE(plain.out.rfind("151643", 0), 0u) << plain.out;
  EXPECT_GT(std::count(plain.out.begin(), plain.out.end(), ' '), 2) << plain.out;
}

TEST(SlmRunTokenize, ParseSpecialOnSmolLM2) {
  const std::string model = smollm2_path();
  if (model.empty()) return;
  TempDir tmp;
  const std::string text = "<|im_start|>user\nHi<|im_end|>\n";
  const CommandResult on = run(tmp, "tokenize", model, "--parse-special", text);
  const CommandResult off = run(tmp, "tokenize", model, "", text);
  ASSERT_EQ(on.exit_code, 0) << on.err;
  ASSERT_EQ(off.exit_code, 0) << off.err;
  // <|im_start|> is id 1 and <|im_end|> id 2 in SmolLM2's vocabulary.
  EXPECT_EQ(on.out.rfind("1 ", 0), 0u) << on.out;
  EXPECT_NE(on.out.find(" 2 "), std::string::npos) << on.out;
  EXPECT_NE(on.out, off.out);
  EXPECT_NE(off.out.rfind("1 ", 0), 0u) << off.out;
  // Pieces show the difference too.
  const auto pieces_on = parse_pieces(run(tmp, "tokenize", model, "--pieces --parse-special", text).out);
  const auto pieces_off = parse_pieces(run(tmp, "tokenize", model, "--pieces", text).out);
  ASSERT_TRUE(pieces_on && pieces_off);
  EXPECT_EQ(pieces_on->front(), "<|im_start|>");
  EXPECT_NE(pieces_off->front(), "<|im_start|>");
  std::string joined;
  for (const auto& p : *pieces_off) joined += p;
  EXPECT_EQ(joined, text);
}

TEST(SlmRunTokenize, PiecesFormat) {
  TempDir tmp;
  EXPECT_EQ(run(tmp, "tokenize", vocab("gpt-2"), "--pieces", "Hello world").out, "\"Hello\" \" world\"\n");
  // Special tokens are rendered; SPM's "▁" is a space.
  EXPECT_EQ(run(tmp, "tokenize", vocab("llama-spm"), "--pieces", "Hello world").out, "\"<s>\" \" Hello\" \" world\"\n");
  // Quotes, backslashes and control characters are escaped; valid UTF-8 stays as is.
  const CommandResult esc = run(tmp, "tokenize", vocab("qwen2"), "--pieces --no-add-special", "a\"b\\c\n\t\x01 é");
  ASSERT_EQ(esc.exit_code, 0) << esc.err;
  const auto esc_pieces = parse_pieces(esc.out);
  ASSERT_TRUE(esc_pieces) << esc.out;
  std::string joined;
  for (const auto& p : *esc_pieces) joined += p;
  EXPECT_EQ(joined, "a\"b\\c\n\t\x01 é");
  EXPECT_NE(esc.out.find("\\\""), std::string::npos) << esc.out;
  EXPECT_NE(esc.out.find("\\\\"), std::string::npos) << esc.out;
  EXPECT_NE(esc.out.find("\\n"), std::string::npos) << esc.out;
  EXPECT_NE(esc.out.find("\\u0001"), std::string::npos) << esc.out;
  EXPECT_NE(esc.out.find("é"), std::string::npos) << esc.out;
  // Byte-fallback tokens of one character: each byte is \udcXX.
  EXPECT_EQ(run(tmp, "tokenize", vocab("llama-spm"), "--pieces --no-add-special", "\xF0\x9F\xA6\x99").out,
            "\" \" \"\\udcf0\" \"\\udc9f\" \"\\udca6\" \"\\udc99\"\n");
  EXPECT_EQ(run(tmp, "tokenize", vocab("llama-spm"), "--no-add-special", "\xF0\x9F\xA6\x99").out,
            "29871 243 162 169 156\n");
  // Empty input: an empty line.
  EXPECT_EQ(run(tmp, "tokenize", vocab("gpt-2"), "--pieces", "").out, "\n");
  // --ids and --pieces exclude each other.
  EXPECT_NE(run(tmp, "tokenize", vocab("gpt-2"), "--ids --pieces", "x").exit_code, 0);
}

// One piece per id, and for byte-level BPE the pieces' bytes are the text, on every vector.
TEST(SlmRunTokenize, PiecesMatchIdsOnVectors) {
  const std::string model = vocab("deepseek-coder");
  const auto cases = read_vocab_cases(model + ".inp", model + ".out");
  ASSERT_FALSE(cases.empty());
  TempDir tmp;
  for (size_t i = 0; i < cases.size(); ++i) {
    const CommandResult r = run(tmp, "tokenize", model, "--pieces --no-add-special", cases[i].text);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto pieces = parse_pieces(r.out);
    ASSERT_TRUE(pieces) << "case " << i << ": " << r.out;
    EXPECT_EQ(pieces->size(), cases[i].expected.size()) << "case " << i;
    std::string joined;
    for (const auto& p : *pieces) joined += p;
    EXPECT_EQ(joined, cases[i].text) << "case " << i;
  }
}

// ---- detokenize ----------------------------------------------------------------------------

TEST(SlmRunDetokenize, PrintsTheTextExactly) {
  TempDir tmp;
  for (const std::string ids : {"15043 3186", "15043,3186", " 15043 ,\n3186\n", "15043\t3186", ",15043,,3186,"}) {
    const CommandResult r = run(tmp, "detokenize", vocab("llama-spm"), "", ids);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "Hello world") << "ids '" << ids << "'";
  }
  EXPECT_EQ(run(tmp, "detokenize", vocab("gpt-2"), "", "15496 995 198").out, "Hello world\n");
  // Raw bytes, even an incomplete character.
  EXPECT_EQ(run(tmp, "detokenize", vocab("llama-spm"), "", "243 162").out, "\xF0\x9F");
  // No ids, no text.
  const CommandResult empty = run(tmp, "detokenize", vocab("gpt-2"), "", " \n");
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.out, "");
}

TEST(SlmRunDetokenize, RenderSpecial) {
  TempDir tmp;
  EXPECT_EQ(run(tmp, "detokenize", vocab("qwen2"), "", "151643 13048").out, "Hi");
  EXPECT_EQ(run(tmp, "detokenize", vocab("qwen2"), "--render-special", "151643 13048").out, "<|endoftext|>Hi");
}

// tokenize | detokenize gives back every vector text (deepseek-coder: byte-level, no clean-up).
TEST(SlmRunDetokenize, RoundTripsVectors) {
  const std::string model = vocab("deepseek-coder");
  const auto cases = read_vocab_cases(model + ".inp", model + ".out");
  ASSERT_FALSE(cases.empty());
  TempDir tmp;
  for (size_t i = 0; i < cases.size(); ++i) {
    const CommandResult r = run_command(slm_run() + " tokenize -m " + shell_quote(model) + " < " +
                                        shell_quote(tmp.file(cases[i].text)) + " | " + slm_run() +
                                        " detokenize -m " + shell_quote(model));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, cases[i].text) << "case " << i;
  }
}

TEST(SlmRunDetokenize, RoundTripsOtherVocabularies) {
  TempDir tmp;
  const std::string text = "Hello world!\n\tIt's 2024 — ünïcödé 🦙 <|im_start|>";
  for (const std::string name : {"llama-spm", "llama-bpe", "phi-3", "deepseek-coder", "gpt-2"}) {
    const std::string model = vocab(name);
    const CommandResult ids = run(tmp, "tokenize", model, "--no-add-special", text);
    ASSERT_EQ(ids.exit_code, 0) << name << ": " << ids.err;
    const CommandResult back = run(tmp, "detokenize", model, "", ids.out);
    EXPECT_EQ(back.exit_code, 0) << name << ": " << back.err;
    EXPECT_EQ(back.out, text) << name;
  }
}

// ---- errors --------------------------------------------------------------------------------

TEST(SlmRunTokenizeErrors, MissingOrBadFile) {
  TempDir tmp;
  expect_one_line_error(run(tmp, "tokenize", "/nonexistent/model.gguf", "", "Hello"), "tokenize, missing file");
  expect_one_line_error(run(tmp, "detokenize", "/nonexistent/model.gguf", "", "1 2"), "detokenize, missing file");
  const std::string not_gguf = vocab("gpt-2") + ".inp";
  expect_one_line_error(run(tmp, "tokenize", not_gguf, "", "Hello"), "tokenize, not a GGUF file");
  expect_one_line_error(run(tmp, "detokenize", not_gguf, "", "1"), "detokenize, not a GGUF file");
}

TEST(SlmRunTokenizeErrors, BadIds) {
  TempDir tmp;
  // gpt-2 has 50257 tokens.
  for (const std::string ids : {"abc", "1 2 x", "12abc", "-1", "50257", "1 99999999999999999999", "1.5", "+3",
                                "0x10", "1;2", "\x01"}) {
    expect_one_line_error(run(tmp, "detokenize", vocab("gpt-2"), "", ids), "ids '" + ids + "'");
  }
  EXPECT_EQ(run(tmp, "detokenize", vocab("gpt-2"), "", "50256").exit_code, 0);
  const CommandResult r = run(tmp, "detokenize", vocab("gpt-2"), "", "7 50257");
  EXPECT_NE(r.err.find("50257"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
  const CommandResult word = run(tmp, "detokenize", vocab("gpt-2"), "", "7 seven");
  EXPECT_NE(word.err.find("'seven' is not a token id"), std::string::npos) << word.err;
}

// ---- the C API's vocabulary-only models ----------------------------------------------------

TEST(CApiVocabOnly, LoadsVocabularyFilesAndRefusesSessions) {
  const std::string path = vocab("gpt-2");
  slm_model* full = nullptr;
  EXPECT_EQ(slm_model_load(path.c_str(), &full), SLM_ERROR_MODEL);  // no tensors
  EXPECT_EQ(full, nullptr);

  slm_model* m = nullptr;
  ASSERT_EQ(slm_model_load_vocab(path.c_str(), &m), SLM_OK) << slm_last_error();
  EXPECT_TRUE(slm_model_is_vocab_only(m));
  EXPECT_EQ(slm_model_n_vocab(m), 50257);
  EXPECT_EQ(slm_model_n_ctx_train(m), 0);
  EXPECT_STREQ(slm_model_architecture(m), "gpt2");
  EXPECT_EQ(slm_model_chat_template(m), nullptr);

  slm_session* s = nullptr;
  EXPECT_EQ(slm_session_create(m, nullptr, &s), SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s, nullptr);
  EXPECT_NE(std::string(slm_last_error()).find("model loaded vocabulary-only"), std::string::npos) << slm_last_error();

  // slm_token_to_piece: buffer rules and range check.
  size_t n = 0;
  char buf[16] = {};
  EXPECT_EQ(slm_token_to_piece(m, 995, true, nullptr, 0, &n), SLM_ERROR_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, 6u);
  ASSERT_EQ(slm_token_to_piece(m, 995, true, buf, sizeof buf, &n), SLM_OK);
  EXPECT_EQ(std::string(buf, n), " world");
  EXPECT_EQ(slm_token_to_piece(m, 50257, true, buf, sizeof buf, &n), SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(slm_token_to_piece(m, -1, true, buf, sizeof buf, &n), SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(slm_token_to_piece(nullptr, 1, true, buf, sizeof buf, &n), SLM_ERROR_INVALID_ARGUMENT);
  // <|endoftext|> (50256) is rendered only on request.
  ASSERT_EQ(slm_token_to_piece(m, 50256, true, buf, sizeof buf, &n), SLM_OK);
  EXPECT_EQ(std::string(buf, n), "<|endoftext|>");
  ASSERT_EQ(slm_token_to_piece(m, 50256, false, buf, sizeof buf, &n), SLM_OK);
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(slm_token_is_eog(m, 50256));
  slm_model_free(m);

  EXPECT_EQ(slm_model_load_vocab("/nonexistent.gguf", &m), SLM_ERROR_MODEL);
  EXPECT_EQ(m, nullptr);
  EXPECT_EQ(slm_model_load_vocab(nullptr, &m), SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_FALSE(slm_model_is_vocab_only(nullptr));
}

TEST(CApiVocabOnly, FullModelFileAgreesWithFullLoad) {
  const std::string path = shared_path("reference/models/ref-qwen3-Q4_0.gguf");
  const api::Model full(path);
  const api::Model voc = api::Model::load_vocab(path);
  EXPECT_FALSE(full.vocab_only());
  EXPECT_TRUE(voc.vocab_only());
  EXPECT_EQ(voc.n_vocab(), full.n_vocab());
  EXPECT_EQ(voc.architecture(), full.architecture());
  EXPECT_EQ(voc.chat_template(), full.chat_template());
  EXPECT_EQ(full.n_ctx_train() > 0, true);
  const std::string text = "Hello, world! <|im_start|> 1234";
  EXPECT_EQ(voc.tokenize(text, true, true), full.tokenize(text, true, true));
  const std::vector<slm_token> ids = full.tokenize(text, false, false);
  EXPECT_EQ(voc.detokenize(ids), full.detokenize(ids));
  std::string joined;
  for (slm_token id : ids) {
    EXPECT_EQ(voc.token_to_piece(id), full.token_to_piece(id));
    joined += voc.token_to_piece(id);
  }
  EXPECT_EQ(joined, text);  // byte-level BPE
  EXPECT_THROW(api::Session session(voc), Error);
}

}  // namespace
}  // namespace slm::test
