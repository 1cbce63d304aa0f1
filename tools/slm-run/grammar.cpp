// slm-run grammar: checks texts against a grammar the way constrained decoding sees
// them. Each instance file is tokenized with the model's tokenizer (no BOS/EOS) and fed
// token by token: every token must be in the matcher's mask and be accepted, and the
// text must end in a complete state.
//
//   grammar [-m FILE] --grammar G.gbnf --check INSTANCE...
//     one line per instance: "PATH<TAB>accept" or "PATH<TAB>reject<TAB>reason".
//     Exit status 0 whatever the verdicts; 1 when an instance cannot be read; 2 when the
//     grammar does not compile.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "default_model.h"
#include "grammar/matcher.h"
#include "read_text.h"
#include "slm/error.h"
#include "slm/tokenizer.h"

namespace slm::tools {

namespace {

struct GrammarCheckOptions {
  std::string model;
  std::string grammar_file;
  std::vector<std::string> instances;
};

// The GBNF text to check against. Other grammar sources (--json-schema, --regex) turn
// into GBNF here.
std::string grammar_text(const GrammarCheckOptions& opt) { return read_text_file(opt.grammar_file); }

// Token bytes for a message: quoted, with quotes, backslashes and control bytes escaped.
std::string quoted(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7F) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// "" when the text is accepted, else why not.
std::string check_instance(const std::shared_ptr<const grammar::Grammar>& g,
                           const std::shared_ptr<const grammar::Vocabulary>& vocab, const Tokenizer& tok,
                           const std::string& text) {
  grammar::Matcher matcher(g, vocab);
  std::vector<uint64_t> mask((vocab->size() + 63) / 64);
  size_t byte = 0;
  const std::vector<TokenId> ids = tok.encode(text, false, false);
  for (size_t i = 0; i < ids.size(); ++i) {
    const TokenId id = ids[i];
    matcher.fill_mask(mask);
    const std::string where = "token " + std::to_string(i) + " (" + quoted(tok.token_to_piece(id, false)) +
                              ") at byte " + std::to_string(byte);
    if (((mask[static_cast<size_t>(id) >> 6] >> (id & 63)) & 1u) == 0) return where + " not allowed";
    if (!matcher.accept_token(id)) return where + " allowed by the mask but rejected by the matcher";
    byte += tok.token_to_piece(id, false).size();
  }
  if (!matcher.is_complete()) return "incomplete: the grammar expects more after byte " + std::to_string(byte);
  return "";
}

void run_grammar_check(const GrammarCheckOptions& opt) {
  std::shared_ptr<const grammar::Grammar> g;
  try {
    g = grammar::compile_gbnf(grammar_text(opt));
  } catch (const Error& e) {
    std::fprintf(stderr, "slm-run: error: %s\n", e.what());
    std::exit(2);
  }
  std::vector<std::string> texts;
  for (const std::string& path : opt.instances) texts.push_back(read_text_file(path));
  const Tokenizer tok = Tokenizer::from_file(opt.model.empty() ? default_model_path() : opt.model);
  const auto vocab = grammar::make_vocabulary(tok);
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string reason = check_instance(g, vocab, tok, texts[i]);
    const std::string line = opt.instances[i] + (reason.empty() ? "\taccept" : "\treject\t" + reason) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  if (std::fflush(stdout) != 0) throw Error("cannot write to standard output");
}

}  // namespace

void register_grammar(CLI::App& app) {
  auto opt = std::make_shared<GrammarCheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "grammar", "Check texts against a GBNF grammar, token by token through the constrained-decoding mask");
  cmd->add_option("-m,--model", opt->model, "GGUF file whose tokenizer to use (default: the default model)");
  cmd->add_option("--grammar", opt->grammar_file, "GBNF grammar file (root rule: root)")->required();
  cmd->add_option("--check", opt->instances, "Text files to check; prints PATH<TAB>accept|reject<TAB>reason")
      ->required();
  cmd->callback([opt] { run_grammar_check(*opt); });
}

}  // namespace slm::tools
