// Global functions: jinja2's range/dict/namespace and transformers'
// raise_exception/strftime_now.
#pragma once

#include <memory>

#include "tokenizer/jinja/interpreter.h"

namespace slm::jinja {

// A frame holding the globals, the parent of a render's top-level frame.
std::shared_ptr<Frame> make_globals();

}  // namespace slm::jinja
