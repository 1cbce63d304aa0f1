#include "chat_prompt.h"

#include "read_text.h"
#include "slm/chat_builtin.h"
#include "slm/error.h"
#include "slm/gguf.h"

namespace slm::tools {

std::string chat_template_source(const std::string& template_file, const std::string& model_file) {
  if (!template_file.empty()) return read_text_file(template_file);
  if (model_file.empty()) throw Error("no chat template: pass --chat-template FILE or -m MODEL");
  const GgufFile file = GgufFile::open(model_file);
  if (const GgufValue* t = file.find("tokenizer.chat_template"); t != nullptr && t->type() == GgufType::STRING) {
    return std::string(t->as_string());
  }
  return builtin_chat_template(file.get_string_or("general.architecture", ""));
}

void add_special_token_texts(nlohmann::ordered_json& context, const api::Model& model) {
  const auto text = [&](slm_token id) { return id < 0 ? std::string() : model.token_to_piece(id, true); };
  if (!context.contains("bos_token")) context["bos_token"] = text(model.bos());
  if (!context.contains("eos_token")) context["eos_token"] = text(model.eos());
}

}  // namespace slm::tools
