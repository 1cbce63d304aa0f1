/* slm: the C API. Opaque handles for a model (immutable, shareable across sessions
 * and threads) and a session (its own KV cache; one thread at a time). Every call that
 * can fail returns an slm_status; slm_last_error() gives the message of the calling
 * thread's last failure. No call aborts or throws on bad input. */
#ifndef SLM_SLM_H
#define SLM_SLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct slm_model slm_model;
typedef struct slm_session slm_session;
typedef int32_t slm_token;

typedef enum {
  SLM_OK = 0,
  SLM_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, a bad id, an out-of-range parameter */
  SLM_ERROR_MODEL = 2,            /* the file cannot be read or is not a usable model */
  SLM_ERROR_CONTEXT_OVERFLOW = 3, /* the tokens do not fit in the session's context */
  SLM_ERROR_BUFFER_TOO_SMALL = 4, /* the output capacity is too small; *n_out says how much is needed */
  SLM_ERROR_INTERNAL = 5,
  SLM_ERROR_CONSTRAINT = 6        /* the grammar, schema, regex or tool list does not compile */
} slm_status;

/* The message of this thread's last failed call ("" if none). Valid until the next call. */
const char* slm_last_error(void);

/* ---- models ---------------------------------------------------------------------- */
/* Maps the GGUF file read-only and checks that it is a complete, consistent model. */
slm_status slm_model_load(const char* path, slm_model** out);
/* Loads only the vocabulary (tokenizer.* metadata) of a GGUF file: works on full models
 * and on vocabulary-only files without tensors. The tokenizer calls (slm_tokenize,
 * slm_detokenize, slm_token_to_piece, slm_token_is_eog) and slm_model_n_vocab,
 * slm_model_architecture ("" when the file has none) and slm_model_chat_template work;
 * slm_model_n_ctx_train gives 0 and slm_session_create fails with
 * SLM_ERROR_INVALID_ARGUMENT ("model loaded vocabulary-only"). Free with slm_model_free. */
slm_status slm_model_load_vocab(const char* path, slm_model** out);
/* True for a model from slm_model_load_vocab. */
bool slm_model_is_vocab_only(const slm_model* model);
void slm_model_free(slm_model* model);

int32_t slm_model_n_vocab(const slm_model* model);
int32_t slm_model_n_ctx_train(const slm_model* model);
/* general.architecture, e.g. "gemma3". */
const char* slm_model_architecture(const slm_model* model);
/* The chat template stored in the file, or NULL. */
const char* slm_model_chat_template(const slm_model* model);
/* Milliseconds the load spent repacking weights for the kernels (part of the load; 0
 * when nothing was repacked, e.g. with SLM_REPACK=0), and the bytes repacked. */
double slm_model_repack_ms(const slm_model* model);
size_t slm_model_repacked_bytes(const slm_model* model);

/* ---- tokens ---------------------------------------------------------------------- */
/* Tokenizes len bytes of text. Writes up to capacity ids to tokens and the count to
 * *n_out (also when the capacity is too small: SLM_ERROR_BUFFER_TOO_SMALL). */
slm_status slm_tokenize(const slm_model* model, const char* text, size_t len, bool add_special,
                        bool parse_special, slm_token* tokens, size_t capacity, size_t* n_out);
/* Tokenizes text that continues earlier text (generated output, say): no BOS/EOS, no
 * SentencePiece space prefix, special-token texts not parsed. Same buffer rules. */
slm_status slm_tokenize_continuation(const slm_model* model, const char* text, size_t len, slm_token* tokens,
                                     size_t capacity, size_t* n_out);
/* The text of n ids (special tokens rendered when render_special). Same buffer rules. */
slm_status slm_detokenize(const slm_model* model, const slm_token* tokens, size_t n, bool render_special,
                          char* text, size_t capacity, size_t* n_out);
/* The bytes one token stands for on its own (llama.cpp's llama_token_to_piece): a byte
 * token gives its byte, SPM "▁" becomes a space, byte-level BPE symbols become their
 * bytes; CONTROL / UNKNOWN tokens give their text only when render_special (else "").
 * No leading-space stripping or clean-up, so a piece may be a fragment of a UTF-8
 * character. Same buffer rules as slm_tokenize; SLM_ERROR_INVALID_ARGUMENT for an id
 * outside [0, n_vocab). */
slm_status slm_token_to_piece(const slm_model* model, slm_token token, bool render_special, char* text,
                              size_t capacity, size_t* n_out);
bool slm_token_is_eog(const slm_model* model, slm_token token);
/* The vocabulary's BOS / EOS ids (tokenizer.ggml.bos_token_id / eos_token_id), or -1
 * when the vocabulary has none. */
slm_token slm_model_bos(const slm_model* model);
slm_token slm_model_eos(const slm_model* model);

/* ---- sessions -------------------------------------------------------------------- */
typedef struct {
  int32_t n_ctx;     /* positions the session holds; 0: the model's training context (at most 8192) */
  int32_t n_threads; /* threads for this session's calls; 0: all cores */
} slm_session_params;

slm_session_params slm_session_default_params(void);
slm_status slm_session_create(const slm_model* model, const slm_session_params* params, slm_session** out);
void slm_session_free(slm_session* session);
int32_t slm_session_n_ctx(const slm_session* session);
int32_t slm_session_n_past(const slm_session* session);
/* Bytes of the session's KV cache: f16 keys and values of n_ctx positions, every layer. */
size_t slm_session_cache_bytes(const slm_session* session);
/* Saves / restores the evaluated tokens and their cache. */
slm_status slm_session_save(const slm_session* session, const char* path);
slm_status slm_session_load(slm_session* session, const char* path);
/* Forgets every position from n_keep on (0 <= n_keep <= n_past): the next call
 * continues after the first n_keep tokens, e.g. to drop a payload but keep the prompt. */
slm_status slm_session_truncate(slm_session* session, int32_t n_keep);

/* Evaluates n tokens after the session's current ones. logits (may be NULL) receives
 * n × n_vocab floats when all_logits, else n_vocab floats for the last token. */
slm_status slm_session_eval(slm_session* session, const slm_token* tokens, size_t n, bool all_logits, float* logits);

/* ---- generation ------------------------------------------------------------------ */
typedef struct {
  float temperature;       /* <= 0: greedy. Default 0.8 */
  int32_t top_k;           /* <= 0: off. Default 40 */
  float top_p;             /* >= 1: off. Default 0.95 */
  float min_p;             /* <= 0: off. Default 0.05 */
  float repeat_penalty;    /* 1: off (default) */
  int32_t penalty_last_n;  /* default 64 */
  float frequency_penalty; /* default 0 */
  float presence_penalty;  /* default 0 */
  uint64_t seed;           /* used when random_seed is false */
  bool random_seed;        /* default true */
} slm_sampling_params;

/* Receives each new piece of generated text (complete UTF-8, not NUL-terminated);
 * return false to stop generating. */
typedef bool (*slm_text_callback)(const char* text, size_t len, void* user_data);

/* ---- constrained decoding --------------------------------------------------------- */
/* A constraint makes generation emit only text of a language: a GBNF grammar (llama.cpp
 * syntax), a JSON Schema (draft 2020-12; a keyword that cannot be enforced exactly is a
 * compile error naming it and its JSON pointer, never ignored), a regular expression
 * (JSON Schema "pattern" dialect, matched against the whole output) or a list of tool
 * definitions (OpenAI style; calls in the model's own format). Compiled for one model's
 * vocabulary; compiled grammars are cached by content. Free with slm_constraint_free. */
typedef struct slm_constraint slm_constraint;
typedef enum {
  SLM_CONSTRAINT_GRAMMAR = 0,
  SLM_CONSTRAINT_JSON_SCHEMA = 1,
  SLM_CONSTRAINT_REGEX = 2,
  SLM_CONSTRAINT_TOOLS = 3
} slm_constraint_kind;

typedef struct {
  bool allow_additional_properties; /* undeclared object keys where a schema is silent (the spec: true, default) */
  bool compact_json;                /* no whitespace between JSON tokens (default false) */
  int32_t max_whitespace;           /* else at most this many whitespace characters between JSON tokens (4) */
  const char* tool_choice;          /* tools: "auto" (default), "required" or the name of one function */
  const char* tool_format;          /* tools: NULL from the chat template, or "hermes", "llama3", "python", "json" */
  bool parallel_tool_calls;         /* tools: more than one call allowed (default true) */
} slm_constraint_params;

slm_constraint_params slm_constraint_default_params(void);
/* SLM_ERROR_CONSTRAINT with the reason in slm_last_error() when it does not compile. */
slm_status slm_constraint_create(const slm_model* model, slm_constraint_kind kind, const char* text, size_t len,
                                 const slm_constraint_params* params, slm_constraint** out);
void slm_constraint_free(slm_constraint* constraint);

/* The constraint's state over one output, without a model forward pass: for engines that
 * sample themselves. Accept tokens as they are chosen, ask which tokens may come next
 * (a bitset of n_vocab bits: bit i % 64 of word i / 64), undo tokens. An end-of-generation
 * token is accepted only where the output is complete, and terminates the matcher. */
typedef struct slm_matcher slm_matcher;
slm_status slm_matcher_create(const slm_constraint* constraint, slm_matcher** out);
void slm_matcher_free(slm_matcher* matcher);
/* false: the token is not allowed now (the state is unchanged). */
bool slm_matcher_accept_token(slm_matcher* matcher, slm_token token);
/* n_words must be at least (n_vocab + 63) / 64. */
slm_status slm_matcher_fill_mask(const slm_matcher* matcher, uint64_t* bits, size_t n_words);
slm_status slm_matcher_rollback(slm_matcher* matcher, size_t n_tokens);
bool slm_matcher_is_complete(const slm_matcher* matcher);   /* the output so far is a whole sentence */
bool slm_matcher_is_terminated(const slm_matcher* matcher); /* an end-of-generation token was accepted */
void slm_matcher_reset(slm_matcher* matcher);

typedef struct {
  slm_sampling_params sampling;
  int32_t max_tokens;      /* < 0: until the context is full. Default 256 */
  const char* const* stop; /* n_stop stop strings (may be NULL) */
  size_t n_stop;
  bool ignore_eos;
  slm_text_callback on_text; /* may be NULL */
  void* user_data;
  /* NULL: free text. Else only text of the constraint's language is generated, and
   * bytes it forces are appended without sampling (one batched evaluation). */
  const slm_constraint* constraint;
} slm_generate_params;

typedef enum {
  SLM_STOP_MAX_TOKENS = 0,
  SLM_STOP_END_OF_GENERATION = 1,
  SLM_STOP_STRING = 2,
  SLM_STOP_CALLBACK = 3
} slm_stop_reason;

typedef struct {
  int32_t n_prompt;   /* prompt tokens */
  int32_t n_reused;   /* prompt tokens whose cache was reused from the previous call */
  int32_t n_generated;
  int32_t n_forced;   /* of the generated tokens, those the constraint forced (not sampled) */
  slm_stop_reason stop_reason;
  double prompt_ms;   /* processing the new prompt tokens */
  double generate_ms; /* the decode loop */
  uint64_t seed;      /* the seed actually used */
} slm_generate_result;

slm_sampling_params slm_sampling_default_params(void);
slm_generate_params slm_generate_default_params(void);

/* Generates after the prompt, reusing the session's cache for the longest prefix the
 * prompt shares with the session's tokens. The generated ids go to tokens (up to
 * capacity; result->n_generated counts all) when tokens is not NULL. */
slm_status slm_generate(slm_session* session, const slm_token* prompt, size_t n_prompt,
                        const slm_generate_params* params, slm_token* tokens, size_t capacity,
                        slm_generate_result* result);

#ifdef __cplusplus
}
#endif

#endif /* SLM_SLM_H */
