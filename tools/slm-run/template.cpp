// slm-run template: renders a chat template and prints the text exactly.
//   slm-run template --chat-template FILE --context CONTEXT.json
//   slm-run template -m MODEL --messages MESSAGES.json [--no-generation-prompt]
// --context is the whole Jinja context (messages, tools, add_generation_prompt,
// bos_token, eos_token, ...); --messages is a message list (or an object with
// "messages" and optionally "tools"), completed with the model's special tokens.
#include <cstdio>
#include <memory>

#include "chat_prompt.h"
#include "commands.h"
#include "read_text.h"
#include "slm/error.h"

namespace slm::tools {

namespace {

struct TemplateOptions {
  std::string model;
  std::string template_file;
  std::string context_file;
  std::string messages_file;
  bool no_generation_prompt = false;
};

nlohmann::ordered_json read_json(const std::string& path) {
  const std::string text = read_text_file(path);
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

void run_template(const TemplateOptions& opt) {
  if (opt.context_file.empty() == opt.messages_file.empty()) throw Error("give exactly one of --context and --messages");
  const ChatTemplate tmpl = ChatTemplate::parse(chat_template_source(opt.template_file, opt.model));
  nlohmann::ordered_json context;
  if (!opt.context_file.empty()) {
    context = read_json(opt.context_file);
    if (!context.is_object()) throw Error(opt.context_file + ": the context must be a JSON object");
  } else {
    const nlohmann::ordered_json messages = read_json(opt.messages_file);
    context = messages.is_array() ? nlohmann::ordered_json{{"messages", messages}} : messages;
    if (!context.is_object() || !context.contains("messages")) {
      throw Error(opt.messages_file + ": expected a message list or an object with \"messages\"");
    }
    context["add_generation_prompt"] = !opt.no_generation_prompt;
  }
  if (!opt.model.empty()) add_special_token_texts(context, api::Model::load_vocab(opt.model));
  const std::string text = tmpl.render(context);
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace

void register_template(CLI::App& app) {
  auto opt = std::make_shared<TemplateOptions>();
  CLI::App* cmd = app.add_subcommand("template", "Render a chat template and print the text exactly");
  cmd->add_option("-m,--model", opt->model, "GGUF model (its template and special tokens)");
  cmd->add_option("--chat-template", opt->template_file, "Jinja template file (overrides the model's)");
  cmd->add_option("--context", opt->context_file, "JSON file with the whole template context");
  cmd->add_option("--messages", opt->messages_file, "JSON file with the messages");
  cmd->add_flag("--no-generation-prompt", opt->no_generation_prompt, "With --messages: no assistant prompt at the end");
  cmd->callback([opt] { run_template(*opt); });
}

}  // namespace slm::tools
