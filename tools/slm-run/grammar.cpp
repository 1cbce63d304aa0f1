// slm-run grammar: checks texts against a constraint the way constrained decoding sees
// them. Each instance file is tokenized with the model's tokenizer as generated text
// (no BOS/EOS, no space prefix) and fed token by token: every token must be in the
// matcher's mask and be accepted, and the text must end in a complete state.
//
//   grammar [-m FILE] (--grammar G.gbnf | --json-schema S | --regex R | --tools T) --check INSTANCE...
//     one line per instance: "PATH<TAB>accept" or "PATH<TAB>reject<TAB>reason".
//     Exit status 0 whatever the verdicts; 1 when an instance cannot be read; 2 when the
//     constraint does not compile.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "default_model.h"
#include "read_text.h"
#include "slm/error.h"

namespace slm::tools {

namespace {

struct GrammarCheckOptions {
  std::string model;
  ConstraintOptions constraint;
  std::vector<std::string> instances;
};

// Token bytes for a message: quoted, with quotes, backslashes and control bytes escaped.
std::string escaped(std::string_view bytes) {
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
std::string check_instance(const api::Model& model, const api::Constraint& constraint, const std::string& text) {
  api::Matcher matcher(constraint, model.n_vocab());
  size_t byte = 0;
  const std::vector<slm_token> ids = model.tokenize_continuation(text);
  for (size_t i = 0; i < ids.size(); ++i) {
    const slm_token id = ids[i];
    const std::string piece = model.token_to_piece(id, false);
    const std::string where = "token " + std::to_string(i) + " (" + escaped(piece) + ") at byte " + std::to_string(byte);
    const std::vector<uint64_t> mask = matcher.mask();
    if (((mask[static_cast<size_t>(id) >> 6] >> (id & 63)) & 1u) == 0) return where + " not allowed";
    if (!matcher.accept(id)) return where + " allowed by the mask but rejected by the matcher";
    byte += piece.size();
  }
  if (!matcher.is_complete()) return "incomplete: the constraint expects more after byte " + std::to_string(byte);
  return "";
}

void run_grammar_check(const GrammarCheckOptions& opt) {
  if (!has_constraint(opt.constraint)) throw Error("give one of --grammar, --json-schema, --regex or --tools");
  const api::Model model = api::Model::load_vocab(opt.model.empty() ? default_model_path() : opt.model);
  const std::optional<api::Constraint> constraint = make_constraint(opt.constraint, model);
  std::vector<std::string> texts;
  for (const std::string& path : opt.instances) texts.push_back(read_text_file(path));
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string reason = check_instance(model, *constraint, texts[i]);
    const std::string line = opt.instances[i] + (reason.empty() ? "\taccept" : "\treject\t" + reason) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  if (std::fflush(stdout) != 0) throw Error("cannot write to standard output");
}

}  // namespace

void register_grammar(CLI::App& app) {
  auto opt = std::make_shared<GrammarCheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "grammar", "Check texts against a constraint, token by token through the constrained-decoding mask");
  cmd->add_option("-m,--model", opt->model, "GGUF file whose tokenizer to use (default: the default model)");
  add_constraint_options(*cmd, opt->constraint);
  cmd->add_option("--check", opt->instances, "Text files to check; prints PATH<TAB>accept|reject<TAB>reason")
      ->required();
  cmd->callback([opt] { run_grammar_check(*opt); });
}

}  // namespace slm::tools
