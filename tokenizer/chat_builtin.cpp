#include "slm/chat_builtin.h"

namespace slm {

namespace {

// Gemma: user/model turns; system messages are folded into the next user turn,
// separated by a blank line, as Gemma's own template does.
constexpr const char* kGemma =
    "{%- set pending = namespace(system='') -%}"
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'system' -%}"
    "{%- set pending.system = pending.system + message['content'] | trim + '\\n\\n' -%}"
    "{%- else -%}"
    "{{- '<start_of_turn>' + ('model' if message['role'] == 'assistant' else 'user') + '\\n' -}}"
    "{{- pending.system + message['content'] | trim + '<end_of_turn>\\n' -}}"
    "{%- set pending.system = '' -%}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<start_of_turn>model\\n' -}}{%- endif -%}";

constexpr const char* kChatMl =
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

}  // namespace

std::string builtin_chat_template(std::string_view architecture) {
  if (architecture.rfind("gemma", 0) == 0) return kGemma;
  return kChatMl;
}

}  // namespace slm
