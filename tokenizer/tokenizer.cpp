// slm::Tokenizer: construction, encode() and accessors.
#include <algorithm>

#include "slm/error.h"
#include "slm/gguf.h"
#include "tokenizer/internal.h"

namespace slm {

Tokenizer::Tokenizer(const GgufFile& gguf) {
  auto impl = std::make_shared<Impl>();
  tok::load_vocab(gguf, *impl);
  impl_ = std::move(impl);
}

Tokenizer Tokenizer::from_file(const std::string& gguf_path) { return Tokenizer(GgufFile::open(gguf_path)); }

Tokenizer::~Tokenizer() = default;

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool add_special, bool parse_special) const {
  return encode_impl(text, add_special, parse_special, true);
}

std::vector<TokenId> Tokenizer::encode_continuation(std::string_view text) const {
  return encode_impl(text, false, false, false);
}

std::vector<TokenId> Tokenizer::encode_impl(std::string_view text, bool add_special, bool parse_special,
                                            bool at_start) const {
  const Impl& t = *impl_;
  std::vector<tok::Fragment> fragments;
  t.specials.partition(text, parse_special, t.attr, t.text, fragments);
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 4);
  if (add_special && t.add_bos) out.push_back(t.bos);
  if (t.kind == TokenizerKind::Spm) {
    bool prev_special = at_start;  // text at the start gets the space prefix too
    std::string buf;
    for (const auto& f : fragments) {
      if (f.is_token) {
        out.push_back(f.token);
        prev_special = true;
        continue;
      }
      buf.clear();
      if (t.add_space_prefix && prev_special) buf += "\xE2\x96\x81";
      for (size_t i = f.begin; i < f.end; ++i) {
        if (text[i] == ' ') {
          buf += "\xE2\x96\x81";
        } else {
          buf += text[i];
        }
      }
      t.encode_spm(buf, out);
      prev_special = false;
    }
  } else {
    for (const auto& f : fragments) {
      if (f.is_token) {
        out.push_back(f.token);
      } else {
        t.encode_bpe(text.substr(f.begin, f.end - f.begin), out);
      }
    }
  }
  if (add_special && t.add_eos) out.push_back(t.eos);
  return out;
}

std::string_view Tokenizer::token_text(TokenId id) const {
  impl_->check_id(id);
  return impl_->text[id];
}

TokenId Tokenizer::find_token(std::string_view text) const { return impl_->lookup(text); }
size_t Tokenizer::vocab_size() const { return impl_->n_vocab(); }
TokenizerKind Tokenizer::kind() const { return impl_->kind; }
const std::string& Tokenizer::model_name() const { return impl_->model; }
const std::string& Tokenizer::pre_name() const { return impl_->pre; }
TokenId Tokenizer::bos() const { return impl_->bos; }
TokenId Tokenizer::eos() const { return impl_->eos; }
TokenId Tokenizer::eot() const { return impl_->eot; }
TokenId Tokenizer::eom() const { return impl_->eom; }
TokenId Tokenizer::unk() const { return impl_->unk; }
TokenId Tokenizer::pad() const { return impl_->pad; }
TokenId Tokenizer::sep() const { return impl_->sep; }
TokenId Tokenizer::nl() const { return impl_->nl; }
bool Tokenizer::add_bos() const { return impl_->add_bos; }
bool Tokenizer::add_eos() const { return impl_->add_eos; }
bool Tokenizer::add_space_prefix() const { return impl_->add_space_prefix; }

bool Tokenizer::is_eog(TokenId id) const {
  return id >= 0 && static_cast<size_t>(id) < impl_->n_vocab() && impl_->is_eog[id] != 0;
}
const std::vector<TokenId>& Tokenizer::eog_tokens() const { return impl_->eog; }

TokenType Tokenizer::token_type(TokenId id) const {
  impl_->check_id(id);
  return static_cast<TokenType>(impl_->type[id]);
}
uint32_t Tokenizer::token_attributes(TokenId id) const {
  impl_->check_id(id);
  return impl_->attr[id];
}
float Tokenizer::token_score(TokenId id) const {
  impl_->check_id(id);
  return impl_->score[id];
}
bool Tokenizer::is_control(TokenId id) const { return (token_attributes(id) & token_attr::kControl) != 0; }
bool Tokenizer::is_byte(TokenId id) const { return (token_attributes(id) & token_attr::kByte) != 0; }

}  // namespace slm
