// Built-in chat templates for models whose GGUF carries none (as llama.cpp picks one
// from the architecture). They are Jinja sources for slm::ChatTemplate.
#pragma once

#include <string>
#include <string_view>

namespace slm {

// Gemma's turn format for gemma, gemma2 and gemma3; ChatML for everything else.
// Neither adds BOS: tokenizing with add_special does, as the vocabulary says.
std::string builtin_chat_template(std::string_view architecture);

}  // namespace slm
