// Tokenizers for GGUF vocabularies, matching llama.cpp token for token.
//
// Supported `tokenizer.ggml.model` values: "llama" (SentencePiece-style BPE over scores,
// with byte fallback) and "gpt2" (byte-level BPE over merge ranks, with the
// pre-tokenizer chosen by `tokenizer.ggml.pre`). Everything else is rejected with
// slm::Error when the Tokenizer is built.
//
// Behaviour follows llama.cpp's llama_tokenize / llama_detokenize:
//  * encode(text, add_special, parse_special): special tokens (CONTROL / USER_DEFINED /
//    UNKNOWN types) are cut out of the text first; CONTROL and UNKNOWN ones only when
//    parse_special is true, USER_DEFINED ones always. add_special adds BOS and/or EOS
//    as the vocabulary says (tokenizer.ggml.add_bos_token / add_eos_token, else the
//    per-type defaults).
//  * Invalid UTF-8 never throws: SPM falls back to byte tokens, BPE sees U+FFFD for each
//    bad byte (as llama.cpp does).
//  * decode() returns raw bytes (a byte-fallback token may end in the middle of a
//    character); StreamDecoder returns only complete, valid UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace slm {

class GgufFile;

using TokenId = int32_t;
inline constexpr TokenId kNoToken = -1;

enum class TokenizerKind { Spm, Bpe };

// tokenizer.ggml.token_type values.
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

// Per-token attribute bits (llama.cpp's llama_token_attr). Derived from the token type,
// then adjusted like llama.cpp does (EOG-looking tokens become CONTROL, control tokens
// named "unused" get UNUSED, Phi-3 special tokens get RSTRIP, ...).
namespace token_attr {
inline constexpr uint32_t kUnknown = 1u << 0;
inline constexpr uint32_t kUnused = 1u << 1;
inline constexpr uint32_t kNormal = 1u << 2;
inline constexpr uint32_t kControl = 1u << 3;
inline constexpr uint32_t kUserDefined = 1u << 4;
inline constexpr uint32_t kByte = 1u << 5;
inline constexpr uint32_t kNormalized = 1u << 6;
inline constexpr uint32_t kLStrip = 1u << 7;
inline constexpr uint32_t kRStrip = 1u << 8;
}  // namespace token_attr

struct DecodeOptions {
  // Render CONTROL / UNKNOWN tokens as their text (llama.cpp "unparse_special").
  bool render_special = false;
  // Drop a leading BOS and a trailing EOS when the vocabulary adds them.
  bool remove_special = false;
  // SPM with add_space_prefix: drop one leading space of the first piece. As in
  // llama.cpp the space is kept when the sequence starts with BOS.
  bool strip_leading_space = true;
  // Apply the vocabulary's detokenizer clean-up (" ," -> ",", " 's" -> "'s", ...) when it
  // has one (most gpt2-style vocabularies). Turn off for an exact byte round trip.
  bool clean_spaces = true;
};

class Tokenizer {
 public:
  // Reads the tokenizer.* metadata. Throws slm::Error on missing or mistyped keys, an
  // unsupported tokenizer model or pre-tokenizer, or inconsistent special tokens.
  explicit Tokenizer(const GgufFile& gguf);
  static Tokenizer from_file(const std::string& gguf_path);

  Tokenizer(const Tokenizer&) = default;  // cheap: the vocabulary is shared, immutable
  Tokenizer& operator=(const Tokenizer&) = default;
  Tokenizer(Tokenizer&&) noexcept = default;
  Tokenizer& operator=(Tokenizer&&) noexcept = default;
  ~Tokenizer();

  std::vector<TokenId> encode(std::string_view text, bool add_special = true,
                              bool parse_special = false) const;
  // `text` tokenized as the continuation of earlier text (e.g. bytes a grammar forces
  // after generated ones): no BOS/EOS, no SPM space prefix, special-token texts not parsed.
  std::vector<TokenId> encode_continuation(std::string_view text) const;

  // Concatenated pieces with llama.cpp's detokenizer rules. Throws slm::Error for an id
  // outside [0, vocab_size()).
  std::string decode(std::span<const TokenId> ids, const DecodeOptions& options = {}) const;

  // The bytes one token stands for: byte tokens give their byte, "▁" becomes a space
  // (SPM), byte-level symbols are unmapped (BPE); CONTROL / UNKNOWN tokens give their
  // text only when render_special. Throws slm::Error for an id out of range.
  std::string_view token_to_piece(TokenId id, bool render_special = true) const;
  // The token's text as stored in the vocabulary.
  std::string_view token_text(TokenId id) const;
  // Exact vocabulary lookup of a token text; kNoToken when absent.
  TokenId find_token(std::string_view text) const;

  size_t vocab_size() const;
  TokenizerKind kind() const;
  const std::string& model_name() const;  // tokenizer.ggml.model
  const std::string& pre_name() const;    // tokenizer.ggml.pre ("" when absent)

  // Special tokens; kNoToken when the vocabulary has none.
  TokenId bos() const;
  TokenId eos() const;
  TokenId eot() const;
  TokenId eom() const;
  TokenId unk() const;
  TokenId pad() const;
  TokenId sep() const;
  TokenId nl() const;  // the token (first token) for "\n"
  bool add_bos() const;
  bool add_eos() const;
  bool add_space_prefix() const;

  // End of generation: eos, eot, eom and tokens recognised by their text like llama.cpp
  // does (<|im_end|>, <end_of_turn>, <|eot_id|>, <|endoftext|>, ...).
  bool is_eog(TokenId id) const;
  const std::vector<TokenId>& eog_tokens() const;  // sorted

  TokenType token_type(TokenId id) const;  // as stored in the file (Normal when absent)
  uint32_t token_attributes(TokenId id) const;
  float token_score(TokenId id) const;
  bool is_control(TokenId id) const;
  bool is_byte(TokenId id) const;

  struct Impl;

 private:
  std::vector<TokenId> encode_impl(std::string_view text, bool add_special, bool parse_special, bool at_start) const;
  std::shared_ptr<const Impl> impl_;
};

// Incremental detokenizer for generated text: push ids one at a time and get back only
// complete UTF-8 characters; bytes of a character split across tokens are held until it
// is complete. Invalid sequences come out as U+FFFD (one per maximal invalid subpart, as
// sanitize_utf8 does), so the concatenated output equals
// sanitize_utf8(tokenizer.decode(ids, options-with-clean_spaces-off)).
// The clean_spaces option is ignored (llama.cpp streams pieces without clean-up), and so
// is the trailing-EOS part of remove_special.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer, DecodeOptions options = {});
  std::string push(TokenId id);  // throws slm::Error for an id out of range
  std::string flush();           // the held bytes (an incomplete character gives U+FFFD)
  void reset();
  size_t pending_bytes() const { return pending_.size(); }

 private:
  Tokenizer tokenizer_;
  DecodeOptions options_;
  std::string pending_;
  bool first_ = true;
  bool strip_next_ = false;
};

// Replaces each maximal invalid subpart of `text` (Unicode 15 §3.9) with U+FFFD.
std::string sanitize_utf8(std::string_view text);
bool is_valid_utf8(std::string_view text);

}  // namespace slm
