// Choosing and rendering a model's chat template (shared by `template` and `--chat`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "slm/chat_template.h"
#include "slm/slm.hpp"

namespace slm::tools {

// The template source: --chat-template FILE when given, else the GGUF's
// tokenizer.chat_template, else the built-in one for the architecture.
std::string chat_template_source(const std::string& template_file, const std::string& model_file);

// Adds bos_token / eos_token (the vocabulary's texts) to a context that lacks them.
void add_special_token_texts(nlohmann::ordered_json& context, const api::Model& model);

}  // namespace slm::tools
