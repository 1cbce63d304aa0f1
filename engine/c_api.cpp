// The C API: thin wrappers that translate exceptions into status codes and a
// per-thread message, so no C++ exception ever crosses the boundary.
#include <omp.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "engine/constraint.h"
#include "engine/generate.h"
#include "engine/model.h"
#include "engine/session.h"
#include "grammar/matcher.h"
#include "slm/error.h"
#include "slm/gguf.h"
#include "slm/slm.h"
#include "slm/tokenizer.h"

struct slm_model {
  std::unique_ptr<slm::Model> model;  // null when loaded vocabulary-only
  slm::Tokenizer tokenizer;
  std::string chat_template;
  bool has_chat_template;
  std::string vocab_architecture = {};  // general.architecture of a vocabulary-only model
  // The token bytes and trie constraints need, built on the first constraint.
  mutable std::mutex grammar_vocab_mutex = {};
  mutable std::shared_ptr<const slm::grammar::Vocabulary> grammar_vocab = {};
};

struct slm_constraint {
  std::shared_ptr<const slm::grammar::Grammar> grammar;
  std::shared_ptr<const slm::grammar::Vocabulary> vocab;
};

struct slm_matcher {
  slm::grammar::Matcher matcher;
};

struct slm_session {
  const slm_model* model;
  slm::Session session;
  int n_threads;
};

namespace {

thread_local std::string g_last_error;

slm_status fail(slm_status status, const std::string& message) {
  g_last_error = message;
  return status;
}

// Runs f, mapping exceptions to statuses. slm::Error is the caller's input; a context
// overflow gets its own status so callers can react (shorter prompt, new session).
template <typename F>
slm_status guarded(F&& f, slm_status input_error = SLM_ERROR_INVALID_ARGUMENT) {
  try {
    return f();
  } catch (const slm::Error& e) {
    const std::string what = e.what();
    return fail(what.find("context overflow") != std::string::npos ? SLM_ERROR_CONTEXT_OVERFLOW : input_error, what);
  } catch (const std::bad_alloc&) {
    return fail(SLM_ERROR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(SLM_ERROR_INTERNAL, std::string("internal error: ") + e.what());
  }
}

void use_threads(const slm_session* s) {
  if (s->n_threads > 0) omp_set_num_threads(s->n_threads);
}

slm_status copy_out(const void* src, size_t n, size_t elem, void* dst, size_t capacity, size_t* n_out) {
  if (n_out != nullptr) *n_out = n;
  if (n > capacity) return fail(SLM_ERROR_BUFFER_TOO_SMALL, "output buffer too small: " + std::to_string(n) + " needed");
  if (n != 0 && dst == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "null output buffer");
  if (n != 0) std::memcpy(dst, src, n * elem);
  return SLM_OK;
}

}  // namespace

extern "C" {

const char* slm_last_error(void) { return g_last_error.c_str(); }

slm_status slm_model_load(const char* path, slm_model** out) {
  if (path == nullptr || out == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_model_load: null argument");
  *out = nullptr;
  return guarded(
      [&] {
        auto model = slm::Model::load(path);
        slm::Tokenizer tokenizer(model->file());
        const slm::GgufValue* tmpl = model->file().find("tokenizer.chat_template");
        const bool has_template = tmpl != nullptr && tmpl->type() == slm::GgufType::STRING;
        std::string text = has_template ? std::string(tmpl->as_string()) : std::string();
        *out = new slm_model{std::move(model), std::move(tokenizer), std::move(text), has_template};
        return SLM_OK;
      },
      SLM_ERROR_MODEL);
}

slm_status slm_model_load_vocab(const char* path, slm_model** out) {
  if (path == nullptr || out == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_model_load_vocab: null argument");
  *out = nullptr;
  return guarded(
      [&] {
        const slm::GgufFile file = slm::GgufFile::open(path);
        slm::Tokenizer tokenizer(file);
        const slm::GgufValue* tmpl = file.find("tokenizer.chat_template");
        const bool has_template = tmpl != nullptr && tmpl->type() == slm::GgufType::STRING;
        std::string text = has_template ? std::string(tmpl->as_string()) : std::string();
        const slm::GgufValue* arch = file.find("general.architecture");
        std::string arch_name = arch != nullptr && arch->type() == slm::GgufType::STRING ? std::string(arch->as_string())
                                                                                          : std::string();
        *out = new slm_model{nullptr, std::move(tokenizer), std::move(text), has_template, std::move(arch_name)};
        return SLM_OK;
      },
      SLM_ERROR_MODEL);
}

bool slm_model_is_vocab_only(const slm_model* model) { return model != nullptr && model->model == nullptr; }

void slm_model_free(slm_model* model) { delete model; }

int32_t slm_model_n_vocab(const slm_model* model) {
  if (model == nullptr) return 0;
  return model->model ? model->model->config().n_vocab : static_cast<int32_t>(model->tokenizer.vocab_size());
}
int32_t slm_model_n_ctx_train(const slm_model* model) {
  return model && model->model ? model->model->config().n_ctx_train : 0;
}
const char* slm_model_architecture(const slm_model* model) {
  if (model == nullptr) return "";
  return model->model ? model->model->config().arch_name.c_str() : model->vocab_architecture.c_str();
}
double slm_model_repack_ms(const slm_model* model) {
  return model && model->model ? model->model->repacked().ms : 0.0;
}
size_t slm_model_repacked_bytes(const slm_model* model) {
  return model && model->model ? model->model->repacked().bytes : 0;
}
const char* slm_model_chat_template(const slm_model* model) {
  return model && model->has_chat_template ? model->chat_template.c_str() : nullptr;
}

slm_status slm_tokenize(const slm_model* model, const char* text, size_t len, bool add_special, bool parse_special,
                        slm_token* tokens, size_t capacity, size_t* n_out) {
  if (model == nullptr || (text == nullptr && len != 0)) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_tokenize: null argument");
  return guarded([&] {
    const std::vector<slm::TokenId> ids =
        model->tokenizer.encode(std::string_view(text == nullptr ? "" : text, len), add_special, parse_special);
    return copy_out(ids.data(), ids.size(), sizeof(slm_token), tokens, capacity, n_out);
  });
}

slm_status slm_tokenize_continuation(const slm_model* model, const char* text, size_t len, slm_token* tokens,
                                     size_t capacity, size_t* n_out) {
  if (model == nullptr || (text == nullptr && len != 0)) {
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_tokenize_continuation: null argument");
  }
  return guarded([&] {
    const std::vector<slm::TokenId> ids = model->tokenizer.encode_continuation(std::string_view(text == nullptr ? "" : text, len));
    return copy_out(ids.data(), ids.size(), sizeof(slm_token), tokens, capacity, n_out);
  });
}

slm_status slm_detokenize(const slm_model* model, const slm_token* tokens, size_t n, bool render_special, char* text,
                          size_t capacity, size_t* n_out) {
  if (model == nullptr || (tokens == nullptr && n != 0)) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_detokenize: null argument");
  return guarded([&] {
    slm::DecodeOptions options;
    options.render_special = render_special;
    const std::string s = model->tokenizer.decode(std::span<const slm::TokenId>(tokens, n), options);
    return copy_out(s.data(), s.size(), 1, text, capacity, n_out);
  });
}

slm_status slm_token_to_piece(const slm_model* model, slm_token token, bool render_special, char* text,
                              size_t capacity, size_t* n_out) {
  if (model == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_token_to_piece: null argument");
  return guarded([&] {
    const std::string_view piece = model->tokenizer.token_to_piece(token, render_special);
    return copy_out(piece.data(), piece.size(), 1, text, capacity, n_out);
  });
}

bool slm_token_is_eog(const slm_model* model, slm_token token) {
  return model != nullptr && model->tokenizer.is_eog(token);
}
slm_token slm_model_bos(const slm_model* model) { return model ? model->tokenizer.bos() : -1; }
slm_token slm_model_eos(const slm_model* model) { return model ? model->tokenizer.eos() : -1; }

slm_session_params slm_session_default_params(void) { return slm_session_params{0, 0}; }

slm_status slm_session_create(const slm_model* model, const slm_session_params* params, slm_session** out) {
  if (model == nullptr || out == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_create: null argument");
  *out = nullptr;
  const slm_session_params p = params ? *params : slm_session_default_params();
  if (p.n_ctx < 0 || p.n_ctx > (1 << 24) || p.n_threads < 0) {
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_create: n_ctx or n_threads out of range");
  }
  if (model->model == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_create: model loaded vocabulary-only");
  return guarded([&] {
    *out = new slm_session{model, slm::Session(*model->model, p.n_ctx), p.n_threads};
    return SLM_OK;
  });
}

void slm_session_free(slm_session* session) { delete session; }
int32_t slm_session_n_ctx(const slm_session* session) { return session ? session->session.n_ctx() : 0; }
int32_t slm_session_n_past(const slm_session* session) { return session ? session->session.n_past() : 0; }
size_t slm_session_cache_bytes(const slm_session* session) { return session ? session->session.cache_bytes() : 0; }

slm_status slm_session_save(const slm_session* session, const char* path) {
  if (session == nullptr || path == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_save: null argument");
  return guarded([&] {
    session->session.save(path);
    return SLM_OK;
  });
}

slm_status slm_session_load(slm_session* session, const char* path) {
  if (session == nullptr || path == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_load: null argument");
  return guarded([&] {
    session->session.load(path);
    return SLM_OK;
  });
}

slm_status slm_session_truncate(slm_session* session, int32_t n_keep) {
  if (session == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_truncate: null session");
  if (n_keep < 0 || n_keep > session->session.n_past()) {
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_truncate: n_keep " + std::to_string(n_keep) +
                                                " outside [0, " + std::to_string(session->session.n_past()) + "]");
  }
  session->session.truncate(n_keep);
  return SLM_OK;
}

slm_status slm_session_eval(slm_session* session, const slm_token* tokens, size_t n, bool all_logits, float* logits) {
  if (session == nullptr || (tokens == nullptr && n != 0)) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_eval: null argument");
  if (n == 0) return SLM_OK;
  return guarded([&] {
    use_threads(session);
    const std::vector<float>& out = session->session.evaluate(std::span<const slm_token>(tokens, n), all_logits);
    if (logits != nullptr) std::memcpy(logits, out.data(), out.size() * sizeof(float));
    return SLM_OK;
  });
}

slm_sampling_params slm_sampling_default_params(void) {
  const slm::SamplingParams d;
  return slm_sampling_params{d.temperature,       d.top_k,           d.top_p, d.min_p, d.repeat_penalty, d.penalty_last_n,
                             d.frequency_penalty, d.presence_penalty, d.seed,  d.random_seed};
}

slm_generate_params slm_generate_default_params(void) {
  return slm_generate_params{slm_sampling_default_params(), 256, nullptr, 0, false, nullptr, nullptr, nullptr};
}

slm_status slm_generate(slm_session* session, const slm_token* prompt, size_t n_prompt,
                        const slm_generate_params* params, slm_token* tokens, size_t capacity,
                        slm_generate_result* result) {
  if (session == nullptr || prompt == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_generate: null argument");
  const slm_generate_params p = params ? *params : slm_generate_default_params();
  if (p.n_stop != 0 && p.stop == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_generate: null stop list");
  return guarded([&] {
    use_threads(session);
    slm::GenerateOptions o;
    const slm_sampling_params& s = p.sampling;
    o.sampling = slm::SamplingParams{s.temperature,       s.top_k,            s.top_p, s.min_p, s.repeat_penalty,
                                     s.penalty_last_n,    s.frequency_penalty, s.presence_penalty,
                                     s.seed,              s.random_seed};
    o.max_tokens = p.max_tokens;
    for (size_t i = 0; i < p.n_stop; ++i) {
      if (p.stop[i] != nullptr) o.stop.emplace_back(p.stop[i]);
    }
    o.ignore_eos = p.ignore_eos;
    if (p.on_text != nullptr) {
      o.on_text = [&p](std::string_view text) { return p.on_text(text.data(), text.size(), p.user_data); };
    }
    std::optional<slm::grammar::Matcher> matcher;
    if (p.constraint != nullptr) {
      if (p.constraint->vocab != session->model->grammar_vocab) {
        return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_generate: the constraint was made for another model");
      }
      matcher.emplace(p.constraint->grammar, p.constraint->vocab);
      o.matcher = &*matcher;
    }
    const slm::GenerateResult r =
        slm::generate(session->session, session->model->tokenizer, std::span<const slm_token>(prompt, n_prompt), o);
    if (tokens != nullptr) {
      std::memcpy(tokens, r.tokens.data(), std::min(capacity, r.tokens.size()) * sizeof(slm_token));
    }
    if (result != nullptr) {
      *result = slm_generate_result{r.n_prompt,       r.n_reused, static_cast<int32_t>(r.tokens.size()),
                                    r.n_forced,       static_cast<slm_stop_reason>(r.reason),
                                    r.prompt_ms,      r.generate_ms, r.seed};
    }
    return SLM_OK;
  });
}

slm_constraint_params slm_constraint_default_params(void) {
  const slm::ConstraintOptions d;
  return slm_constraint_params{d.json.allow_additional_properties, d.json.compact, d.json.max_whitespace, "auto",
                               nullptr, d.parallel_tool_calls};
}

slm_status slm_constraint_create(const slm_model* model, slm_constraint_kind kind, const char* text, size_t len,
                                 const slm_constraint_params* params, slm_constraint** out) {
  if (model == nullptr || out == nullptr || (text == nullptr && len != 0)) {
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_constraint_create: null argument");
  }
  *out = nullptr;
  if (kind < SLM_CONSTRAINT_GRAMMAR || kind > SLM_CONSTRAINT_TOOLS) {
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_constraint_create: unknown constraint kind");
  }
  const slm_constraint_params p = params ? *params : slm_constraint_default_params();
  return guarded(
      [&] {
        slm::ConstraintOptions o;
        o.json.allow_additional_properties = p.allow_additional_properties;
        o.json.compact = p.compact_json;
        o.json.max_whitespace = p.max_whitespace;
        o.tool_choice = p.tool_choice != nullptr ? p.tool_choice : "auto";
        o.tool_format = p.tool_format != nullptr ? p.tool_format : "";
        o.parallel_tool_calls = p.parallel_tool_calls;
        const std::string_view arch = model->model ? model->model->config().arch_name : model->vocab_architecture;
        const slm::ConstraintTarget target{model->chat_template, arch};
        auto grammar = slm::compile_constraint(static_cast<slm::ConstraintKind>(kind), std::string_view(text, len), o, target);
        {
          const std::lock_guard<std::mutex> lock(model->grammar_vocab_mutex);
          if (!model->grammar_vocab) model->grammar_vocab = slm::grammar::make_vocabulary(model->tokenizer);
        }
        *out = new slm_constraint{std::move(grammar), model->grammar_vocab};
        return SLM_OK;
      },
      SLM_ERROR_CONSTRAINT);
}

void slm_constraint_free(slm_constraint* constraint) { delete constraint; }

slm_status slm_matcher_create(const slm_constraint* constraint, slm_matcher** out) {
  if (constraint == nullptr || out == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_matcher_create: null argument");
  *out = nullptr;
  return guarded([&] {
    *out = new slm_matcher{slm::grammar::Matcher(constraint->grammar, constraint->vocab)};
    return SLM_OK;
  });
}

void slm_matcher_free(slm_matcher* matcher) { delete matcher; }

bool slm_matcher_accept_token(slm_matcher* matcher, slm_token token) {
  if (matcher == nullptr) return false;
  try {
    return matcher->matcher.accept_token(token);
  } catch (const std::exception&) {
    return false;  // an id outside the vocabulary is never allowed
  }
}

slm_status slm_matcher_fill_mask(const slm_matcher* matcher, uint64_t* bits, size_t n_words) {
  if (matcher == nullptr || bits == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_matcher_fill_mask: null argument");
  return guarded([&] {
    matcher->matcher.fill_mask(std::span<uint64_t>(bits, n_words));
    return SLM_OK;
  });
}

slm_status slm_matcher_rollback(slm_matcher* matcher, size_t n_tokens) {
  if (matcher == nullptr) return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_matcher_rollback: null matcher");
  return guarded([&] {
    matcher->matcher.rollback(n_tokens);
    return SLM_OK;
  });
}

bool slm_matcher_is_complete(const slm_matcher* matcher) { return matcher != nullptr && matcher->matcher.is_complete(); }
bool slm_matcher_is_terminated(const slm_matcher* matcher) {
  return matcher != nullptr && matcher->matcher.is_terminated();
}
void slm_matcher_reset(slm_matcher* matcher) {
  if (matcher != nullptr) matcher->matcher.reset();
}

}  // extern "C"
