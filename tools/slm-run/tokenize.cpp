// slm-run tokenize / detokenize: a GGUF file's tokenizer from the command line, through
// the public API only. The vocabulary alone is loaded (slm_model_load_vocab), so both
// work on full models and on vocabulary-only files.
//
//   tokenize -m FILE [--ids|--pieces] [--no-add-special] [--parse-special]
//     standard input, byte for byte, to one line: the ids separated by single spaces, or
//     (--pieces) each token's bytes as a JSON string, separated by single spaces.
//   detokenize -m FILE [--render-special]
//     ids separated by whitespace and/or commas on standard input to the text, exactly
//     (no newline added). A non-number or an id outside [0, n_vocab) is an error.
#include <charconv>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "commands.h"
#include "slm/error.h"
#include "slm/slm.hpp"

namespace slm::tools {

namespace {

struct TokenizeOptions {
  std::string model;
  bool ids = false;
  bool pieces = false;
  bool no_add_special = false;
  bool parse_special = false;
};

struct DetokenizeOptions {
  std::string model;
  bool render_special = false;
};

constexpr const char* kPiecesFormat =
    "--pieces prints, on one line, one JSON string per token separated by single spaces: the\n"
    "bytes the token stands for (slm_token_to_piece, special tokens rendered). Valid UTF-8\n"
    "is written as is except \" \\ and control characters (\\n \\t \\r \\b \\f, else \\u00XX);\n"
    "a byte that is not part of valid UTF-8 (a token holding part of a character) is\n"
    "written \\udcXX, a lone surrogate, as Python's 'surrogateescape' does: in Python,\n"
    "json.loads(piece).encode('utf-8', 'surrogateescape') gives the exact bytes.\n"
    "Example: \"Hello\" \" world\" \"\\n\" \"\\udcf0\"";

std::string read_stdin() {
  std::string data;
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) data.append(buf, n);
  if (std::ferror(stdin)) throw Error("cannot read standard input");
  return data;
}

void write_stdout(std::string_view text) {
  if (!text.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw Error("cannot write to standard output");
}

// Length of the well-formed UTF-8 sequence at s[i] (Unicode Table 3-7), 0 if there is none.
size_t utf8_length(std::string_view s, size_t i) {
  const auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned b = at(0);
  const auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) { return at(k) >= lo && at(k) <= hi; };
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    const bool second = b == 0xE0 ? cont(1, 0xA0) : b == 0xED ? cont(1, 0x80, 0x9F) : cont(1);
    return second && cont(2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    const bool second = b == 0xF0 ? cont(1, 0x90) : b == 0xF4 ? cont(1, 0x80, 0x8F) : cont(1);
    return second && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// The piece as a JSON string literal; see kPiecesFormat.
std::string json_piece(std::string_view piece) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < piece.size();) {
    const unsigned char c = static_cast<unsigned char>(piece[i]);
    const size_t len = utf8_length(piece, i);
    if (len == 0) {  // not valid UTF-8: U+DC00 + byte
      out += "\\udc";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      i += 1;
      continue;
    }
    if (len > 1) {
      out.append(piece.substr(i, len));
      i += len;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    i += 1;
  }
  return out + "\"";
}

void run_tokenize(const TokenizeOptions& opt) {
  const api::Model model = api::Model::load_vocab(opt.model);
  const std::string text = read_stdin();
  const std::vector<slm_token> ids = model.tokenize(text, !opt.no_add_special, opt.parse_special);
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) line += ' ';
    line += opt.pieces ? json_piece(model.token_to_piece(ids[i], true)) : std::to_string(ids[i]);
  }
  line += '\n';
  write_stdout(line);
}

bool is_separator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == ',';
}

// A word of the input for an error message: at most 32 bytes, control bytes as '?'.
std::string printable(std::string_view word) {
  std::string s(word.substr(0, 32));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  return word.size() > 32 ? s + "..." : s;
}

std::vector<slm_token> parse_ids(std::string_view text, int n_vocab) {
  std::vector<slm_token> ids;
  size_t i = 0;
  while (true) {
    while (i < text.size() && is_separator(text[i])) ++i;
    if (i == text.size()) break;
    size_t end = i;
    while (end < text.size() && !is_separator(text[end])) ++end;
    const std::string_view word = text.substr(i, end - i);
    i = end;
    long long v = 0;
    const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
    if (ptr != word.data() + word.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      throw Error("detokenize: '" + printable(word) + "' is not a token id");
    }
    if (ec == std::errc::result_out_of_range || v < 0 || v >= n_vocab) {
      throw Error("detokenize: token id " + printable(word) + " is out of range [0, " + std::to_string(n_vocab) + ")");
    }
    ids.push_back(static_cast<slm_token>(v));
  }
  return ids;
}

void run_detokenize(const DetokenizeOptions& opt) {
  const api::Model model = api::Model::load_vocab(opt.model);
  const std::vector<slm_token> ids = parse_ids(read_stdin(), model.n_vocab());
  write_stdout(model.detokenize(ids, opt.render_special));
}

}  // namespace

void register_tokenize(CLI::App& app) {
  auto opt = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "tokenize", "Tokenize standard input (raw bytes, as given) and print one line of token ids or pieces");
  cmd->add_option("-m,--model", opt->model, "GGUF file (a full model or a vocabulary-only file)")->required();
  CLI::Option* ids = cmd->add_flag("--ids", opt->ids, "Print the ids separated by single spaces (the default)");
  cmd->add_flag("--pieces", opt->pieces, "Print each token's bytes as a JSON string (format below)")->excludes(ids);
  cmd->add_flag("--no-add-special", opt->no_add_special, "Do not add BOS/EOS (by default added as the file says)");
  cmd->add_flag("--parse-special", opt->parse_special,
                "Turn special-token texts in the input (e.g. <|im_start|>) into their ids");
  cmd->footer(kPiecesFormat);
  cmd->callback([opt] { run_tokenize(*opt); });
}

void register_detokenize(CLI::App& app) {
  auto opt = std::make_shared<DetokenizeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "detokenize",
      "Read token ids (separated by whitespace and/or commas) from standard input and print their text exactly, "
      "without adding a newline");
  cmd->add_option("-m,--model", opt->model, "GGUF file (a full model or a vocabulary-only file)")->required();
  cmd->add_flag("--render-special", opt->render_special, "Print control tokens (BOS, <|im_start|>, ...) as their text");
  cmd->callback([opt] { run_detokenize(*opt); });
}

}  // namespace slm::tools
