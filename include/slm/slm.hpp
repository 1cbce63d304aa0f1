// Header-only C++ layer over the C API (slm.h): RAII handles, std types, and
// slm::Error exceptions carrying slm_last_error(). Nothing internal leaks through it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <cstdint>
#include <vector>

#include "slm/error.h"
#include "slm/slm.h"

namespace slm::api {

inline void check(slm_status status) {
  if (status != SLM_OK) throw Error(slm_last_error());
}

class Model {
 public:
  explicit Model(const std::string& path) {
    slm_model* m = nullptr;
    check(slm_model_load(path.c_str(), &m));
    handle_.reset(m);
  }
  // Only the vocabulary (slm_model_load_vocab): tokenizer calls work, also on
  // vocabulary-only GGUF files; creating a Session from it throws.
  static Model load_vocab(const std::string& path) {
    slm_model* m = nullptr;
    check(slm_model_load_vocab(path.c_str(), &m));
    return Model(m);
  }
  slm_model* get() const { return handle_.get(); }
  bool vocab_only() const { return slm_model_is_vocab_only(get()); }
  int n_vocab() const { return slm_model_n_vocab(get()); }
  int n_ctx_train() const { return slm_model_n_ctx_train(get()); }
  std::string architecture() const { return slm_model_architecture(get()); }
  // The file's chat template, or "" when it has none.
  std::string chat_template() const {
    const char* t = slm_model_chat_template(get());
    return t ? t : "";
  }
  bool is_eog(slm_token token) const { return slm_token_is_eog(get(), token); }
  double repack_ms() const { return slm_model_repack_ms(get()); }
  size_t repacked_bytes() const { return slm_model_repacked_bytes(get()); }
  slm_token bos() const { return slm_model_bos(get()); }  // -1: none
  slm_token eos() const { return slm_model_eos(get()); }  // -1: none

  std::vector<slm_token> tokenize(std::string_view text, bool add_special = true, bool parse_special = false) const {
    return ids_of(text, [&](slm_token* ids, size_t capacity, size_t* n) {
      return slm_tokenize(get(), text.data(), text.size(), add_special, parse_special, ids, capacity, n);
    });
  }
  // Text that continues earlier text (slm_tokenize_continuation).
  std::vector<slm_token> tokenize_continuation(std::string_view text) const {
    return ids_of(text, [&](slm_token* ids, size_t capacity, size_t* n) {
      return slm_tokenize_continuation(get(), text.data(), text.size(), ids, capacity, n);
    });
  }

  // The bytes of one token on its own (slm_token_to_piece); may be part of a character.
  std::string token_to_piece(slm_token token, bool render_special = true) const {
    size_t n = 0;
    slm_status s = slm_token_to_piece(get(), token, render_special, nullptr, 0, &n);
    if (s != SLM_ERROR_BUFFER_TOO_SMALL) check(s);
    std::string piece(n, '\0');
    check(slm_token_to_piece(get(), token, render_special, piece.data(), piece.size(), &n));
    return piece;
  }

  std::string detokenize(const std::vector<slm_token>& tokens, bool render_special = false) const {
    size_t n = 0;
    slm_status s = slm_detokenize(get(), tokens.data(), tokens.size(), render_special, nullptr, 0, &n);
    if (s != SLM_ERROR_BUFFER_TOO_SMALL) check(s);
    std::string text(n, '\0');
    check(slm_detokenize(get(), tokens.data(), tokens.size(), render_special, text.data(), text.size(), &n));
    return text;
  }

 private:
  // Runs a tokenizer call, once more with the size it asks for when the guess is short.
  template <typename Call>
  static std::vector<slm_token> ids_of(std::string_view text, const Call& call) {
    std::vector<slm_token> ids(text.size() + 8);
    size_t n = 0;
    slm_status s = call(ids.data(), ids.size(), &n);
    if (s == SLM_ERROR_BUFFER_TOO_SMALL) {
      ids.resize(n);
      s = call(ids.data(), ids.size(), &n);
    }
    check(s);
    ids.resize(n);
    return ids;
  }
  struct Free {
    void operator()(slm_model* m) const { slm_model_free(m); }
  };
  explicit Model(slm_model* handle) : handle_(handle) {}
  std::unique_ptr<slm_model, Free> handle_;
};

// A compiled constraint (see slm_constraint_create); pass get() as
// slm_generate_params::constraint. Throws slm::Error with the reason when it does not compile.
class Constraint {
 public:
  Constraint(const Model& model, slm_constraint_kind kind, std::string_view text,
             const slm_constraint_params& params = slm_constraint_default_params()) {
    slm_constraint* c = nullptr;
    check(slm_constraint_create(model.get(), kind, text.data(), text.size(), &params, &c));
    handle_.reset(c);
  }
  const slm_constraint* get() const { return handle_.get(); }

 private:
  struct Free {
    void operator()(slm_constraint* c) const { slm_constraint_free(c); }
  };
  std::unique_ptr<slm_constraint, Free> handle_;
};

// A constraint's state over one output, for callers that sample themselves.
class Matcher {
 public:
  Matcher(const Constraint& constraint, int n_vocab) : n_words_((static_cast<size_t>(n_vocab) + 63) / 64) {
    slm_matcher* m = nullptr;
    check(slm_matcher_create(constraint.get(), &m));
    handle_.reset(m);
  }
  bool accept(slm_token token) { return slm_matcher_accept_token(handle_.get(), token); }
  // Bit i % 64 of word i / 64 is set when token i may come next.
  std::vector<uint64_t> mask() const {
    std::vector<uint64_t> bits(n_words_);
    check(slm_matcher_fill_mask(handle_.get(), bits.data(), bits.size()));
    return bits;
  }
  void rollback(size_t n_tokens) { check(slm_matcher_rollback(handle_.get(), n_tokens)); }
  bool is_complete() const { return slm_matcher_is_complete(handle_.get()); }
  bool is_terminated() const { return slm_matcher_is_terminated(handle_.get()); }
  void reset() { slm_matcher_reset(handle_.get()); }

 private:
  struct Free {
    void operator()(slm_matcher* m) const { slm_matcher_free(m); }
  };
  size_t n_words_;
  std::unique_ptr<slm_matcher, Free> handle_;
};

struct Generation {
  std::vector<slm_token> tokens;
  std::string text;
  slm_generate_result result{};
};

class Session {
 public:
  explicit Session(const Model& model, slm_session_params params = slm_session_default_params()) : model_(&model) {
    slm_session* s = nullptr;
    check(slm_session_create(model.get(), &params, &s));
    handle_.reset(s);
  }
  slm_session* get() const { return handle_.get(); }
  int n_ctx() const { return slm_session_n_ctx(get()); }
  int n_past() const { return slm_session_n_past(get()); }
  size_t cache_bytes() const { return slm_session_cache_bytes(get()); }
  void save(const std::string& path) const { check(slm_session_save(get(), path.c_str())); }
  void load(const std::string& path) { check(slm_session_load(get(), path.c_str())); }
  void truncate(int n_keep) { check(slm_session_truncate(get(), n_keep)); }

  // Logits of every token ([n][n_vocab]) or of the last one.
  std::vector<float> eval(const std::vector<slm_token>& tokens, bool all_logits) {
    std::vector<float> logits((all_logits ? tokens.size() : 1) * static_cast<size_t>(model_->n_vocab()));
    check(slm_session_eval(get(), tokens.data(), tokens.size(), all_logits, logits.data()));
    return logits;
  }

  // Generates after `prompt`; on_text (optional) streams the text as it is produced.
  Generation generate(const std::vector<slm_token>& prompt, slm_generate_params params,
                      const std::function<bool(std::string_view)>& on_text = {}) {
    Generation g;
    struct Context {
      const std::function<bool(std::string_view)>* user;
      std::string* text;
    } ctx{&on_text, &g.text};
    params.on_text = [](const char* text, size_t len, void* data) {
      auto* c = static_cast<Context*>(data);
      c->text->append(text, len);
      return !*c->user || (*c->user)(std::string_view(text, len));
    };
    params.user_data = &ctx;
    const size_t capacity = params.max_tokens >= 0 ? static_cast<size_t>(params.max_tokens) : static_cast<size_t>(n_ctx());
    g.tokens.resize(capacity);
    check(slm_generate(get(), prompt.data(), prompt.size(), &params, g.tokens.data(), g.tokens.size(), &g.result));
    g.tokens.resize(std::min(capacity, static_cast<size_t>(g.result.n_generated)));
    return g;
  }

 private:
  struct Free {
    void operator()(slm_session* s) const { slm_session_free(s); }
  };
  const Model* model_;
  std::unique_ptr<slm_session, Free> handle_;
};

}  // namespace slm::api
