// slm-run --chat: an interactive chat on standard input. Each user line is added to
// the conversation, the whole conversation is rendered with the chat template, and
// generation reuses the cache of everything already said (only the new turn is
// processed). -p, when given, becomes the system message.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "chat_prompt.h"
#include "commands.h"
#include "default_model.h"

namespace slm::tools {

void run_chat(const GenerationOptions& opt) {
  const std::string path = opt.model.empty() ? default_model_path() : opt.model;
  const auto start = std::chrono::steady_clock::now();
  const api::Model model(path);
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const ChatTemplate tmpl = ChatTemplate::parse(chat_template_source(opt.chat_template, path));
  api::Session session(model, session_params(opt, model));
  std::vector<const char*> stop_ptrs;
  slm_generate_params params = generate_params(opt, stop_ptrs);
  const std::optional<api::Constraint> constraint = make_constraint(opt.constraint, model);
  if (constraint) params.constraint = constraint->get();
  const bool interactive = ::isatty(STDIN_FILENO) != 0;

  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  if (!opt.prompt.empty()) messages.push_back({{"role", "system"}, {"content", opt.prompt}});
  std::string line;
  while (true) {
    if (interactive) std::fprintf(stderr, "> ");
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    messages.push_back({{"role", "user"}, {"content", line}});
    nlohmann::ordered_json context = {{"messages", messages}, {"add_generation_prompt", true}};
    add_special_token_texts(context, model);
    const std::string prompt = tmpl.render(context);
    // A template that writes BOS itself must not get a second one from the tokenizer.
    const std::string bos = context["bos_token"];
    const bool has_bos = !bos.empty() && prompt.rfind(bos, 0) == 0;
    const api::Generation reply = session.generate(model.tokenize(prompt, !has_bos, true), params, [](std::string_view t) {
      std::fwrite(t.data(), 1, t.size(), stdout);
      std::fflush(stdout);
      return true;
    });
    std::printf("\n");
    std::fflush(stdout);
    if (interactive) print_speed(reply.result, load_ms, model.repack_ms());
    messages.push_back({{"role", "assistant"}, {"content", reply.text}});
  }
}

}  // namespace slm::tools
