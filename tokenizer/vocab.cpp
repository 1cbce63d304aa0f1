// Loading a vocabulary from GGUF metadata: tokens, scores, types, special tokens and the
// per-model adjustments llama.cpp makes (EOG detection, attributes by name).
#include <algorithm>
#include <cctype>
#include <string>

#include "slm/error.h"
#include "slm/gguf.h"
#include "tokenizer/codepoints.h"
#include "tokenizer/internal.h"

namespace slm::tok {

namespace {

[[noreturn]] void fail(const std::string& what) { throw Error("tokenizer: " + what); }

const GgufValue* find_array(const GgufFile& gguf, const char* key, bool required) {
  const GgufValue* v = gguf.find(key);
  if (v == nullptr) {
    if (required) fail(std::string("missing key '") + key + "'");
    return nullptr;
  }
  if (!v->is_array()) fail(std::string("key '") + key + "' must be an array, found " + gguf_type_name(v->type()));
  return v;
}

bool is_int_type(GgufType t) {
  switch (t) {
    case GgufType::UINT8:
    case GgufType::INT8:
    case GgufType::UINT16:
    case GgufType::INT16:
    case GgufType::UINT32:
    case GgufType::INT32:
    case GgufType::UINT64:
    case GgufType::INT64:
      return true;
    default:
      return false;
  }
}

bool read_bool(const GgufFile& gguf, const char* key, bool& out) {
  const GgufValue* v = gguf.find(key);
  if (v == nullptr) return false;
  if (v->type() != GgufType::BOOL) fail(std::string("key '") + key + "' must be BOOL, found " + gguf_type_name(v->type()));
  out = v->as_bool();
  return true;
}

uint32_t attr_from_type(int64_t type) {
  switch (type) {
    case 1: return token_attr::kNormal;
    case 2: return token_attr::kUnknown;
    case 3: return token_attr::kControl;
    case 4: return token_attr::kUserDefined;
    case 5: return token_attr::kUnused;
    case 6: return token_attr::kByte;
    default: return 0;  // UNDEFINED
  }
}

}  // namespace

void load_vocab(const GgufFile& gguf, Tokenizer::Impl& t) {
  // ---- model and defaults ----
  const GgufValue* model_v = gguf.find("tokenizer.ggml.model");
  if (model_v == nullptr) fail("missing key 'tokenizer.ggml.model'");
  if (model_v->type() != GgufType::STRING) fail("key 'tokenizer.ggml.model' must be a STRING");
  t.model = std::string(model_v->as_string());
  if (const GgufValue* pre_v = gguf.find("tokenizer.ggml.pre")) {
    if (pre_v->type() != GgufType::STRING) fail("key 'tokenizer.ggml.pre' must be a STRING");
    t.pre = std::string(pre_v->as_string());
  }

  PreTokenizerConfig pre_cfg;
  if (t.model == "llama") {
    t.kind = TokenizerKind::Spm;
    t.bos = 1;
    t.eos = 2;
    t.unk = 0;
    t.add_space_prefix = true;
    t.clean_spaces = false;
    t.add_bos = true;
    t.add_eos = false;
  } else if (t.model == "gpt2") {
    t.kind = TokenizerKind::Bpe;
    t.bos = 11;
    t.eos = 11;
    pre_cfg = pre_tokenizer_config(t.pre);
    t.add_space_prefix = false;
    t.clean_spaces = pre_cfg.clean_spaces;
    t.ignore_merges = pre_cfg.ignore_merges;
    if (pre_cfg.add_bos >= 0) t.add_bos = pre_cfg.add_bos != 0;
    if (pre_cfg.no_bos) t.bos = kNoToken;
  } else {
    fail("unsupported tokenizer model '" + t.model + "' (tokenizer.ggml.model; supported: llama, gpt2)");
  }
  read_bool(gguf, "tokenizer.ggml.add_space_prefix", t.add_space_prefix);

  // ---- tokens, scores, types ----
  const GgufValue* tokens_v = find_array(gguf, "tokenizer.ggml.tokens", true);
  if (tokens_v->array_type() != GgufType::STRING) fail("'tokenizer.ggml.tokens' must be an array of strings");
  const std::vector<std::string_view> words = tokens_v->array_strings();
  const size_t n = words.size();
  if (n == 0) fail("'tokenizer.ggml.tokens' is empty");
  if (n > static_cast<size_t>(INT32_MAX)) fail("too many tokens");

  t.score.assign(n, 0.0f);
  if (const GgufValue* v = find_array(gguf, "tokenizer.ggml.scores", false)) {
    if (v->array_type() != GgufType::FLOAT32 && v->array_type() != GgufType::INT32) {
      fail("'tokenizer.ggml.scores' must be an array of FLOAT32 or INT32");
    }
    if (v->array_size() < n) fail("'tokenizer.ggml.scores' has fewer entries than tokens");
    if (v->array_type() == GgufType::FLOAT32) {
      const std::vector<float> s = v->array_floats();
      std::copy(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n), t.score.begin());
    } else {
      const std::vector<int64_t> s = v->array_ints();
      for (size_t i = 0; i < n; ++i) t.score[i] = static_cast<float>(s[i]);
    }
  }
  t.type.assign(n, 1);
  if (const GgufValue* v = find_array(gguf, "tokenizer.ggml.token_type", false)) {
    if (!is_int_type(v->array_type())) fail("'tokenizer.ggml.token_type' must be an array of integers");
    if (v->array_size() < n) fail("'tokenizer.ggml.token_type' has fewer entries than tokens");
    const std::vector<int64_t> ty = v->array_ints();
    for (size_t i = 0; i < n; ++i) {
      t.type[i] = (ty[i] < 0 || ty[i] > 6) ? 0 : static_cast<int32_t>(ty[i]);
    }
  }

  size_t bytes = 0;
  for (auto w : words) bytes += w.size() + 16;
  t.text.reserve(n, bytes);
  for (size_t i = 0; i < n; ++i) {
    if (words[i].empty()) {
      t.text.push("[EMPTY_" + std::to_string(i) + "]");
    } else {
      t.text.push(words[i]);
    }
  }
  t.token_to_id.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto [it, inserted] = t.token_to_id.emplace(t.text[i], static_cast<int32_t>(i));
    if (!inserted) {
      fail("duplicate token '" + std::string(t.text[i]) + "' (ids " + std::to_string(it->second) + " and " +
           std::to_string(i) + ")");
    }
  }
  t.attr.resize(n);
  for (size_t i = 0; i < n; ++i) t.attr[i] = attr_from_type(t.type[i]);

  // ---- special token ids ----
  struct SpecialKey {
    const char* key;
    TokenId* id;
  };
  const SpecialKey special_keys[] = {
      {"tokenizer.ggml.bos_token_id", &t.bos},          {"tokenizer.ggml.eos_token_id", &t.eos},
      {"tokenizer.ggml.eot_token_id", &t.eot},          {"tokenizer.ggml.eom_token_id", &t.eom},
      {"tokenizer.ggml.unknown_token_id", &t.unk},      {"tokenizer.ggml.seperator_token_id", &t.sep},
      {"tokenizer.ggml.padding_token_id", &t.pad},      {"tokenizer.ggml.mask_token_id", &t.mask},
      {"tokenizer.ggml.fim_pre_token_id", &t.fim_pre},  {"tokenizer.ggml.fim_suf_token_id", &t.fim_suf},
      {"tokenizer.ggml.fim_mid_token_id", &t.fim_mid},  {"tokenizer.ggml.fim_pad_token_id", &t.fim_pad},
      {"tokenizer.ggml.fim_rep_token_id", &t.fim_rep},  {"tokenizer.ggml.fim_sep_token_id", &t.fim_sep},
      {"tokenizer.ggml.prefix_token_id", &t.fim_pre},   {"tokenizer.ggml.suffix_token_id", &t.fim_suf},
      {"tokenizer.ggml.middle_token_id", &t.fim_mid},
  };
  for (const auto& sk : special_keys) {
    if (*sk.id >= 0 && static_cast<size_t>(*sk.id) >= n) *sk.id = kNoToken;  // default out of range
    const GgufValue* v = gguf.find(sk.key);
    if (v == nullptr) continue;
    if (!is_int_type(v->type())) fail(std::string("key '") + sk.key + "' must be an integer, found " + gguf_type_name(v->type()));
    const bool is_unsigned64 = v->type() == GgufType::UINT64;
    const int64_t id = is_unsigned64 && v->as_u64() > static_cast<uint64_t>(INT64_MAX) ? -1 : v->as_int();
    if (id >= 0 && static_cast<uint64_t>(id) < n) *sk.id = static_cast<TokenId>(id);
    // out of range: llama.cpp warns and keeps the default
  }
  read_bool(gguf, "tokenizer.ggml.add_bos_token", t.add_bos);
  read_bool(gguf, "tokenizer.ggml.add_eos_token", t.add_eos);
  read_bool(gguf, "tokenizer.ggml.add_sep_token", t.add_sep);
  if (t.add_bos && t.bos == kNoToken) fail("add_bos_token is true, but there is no BOS token (bos_token_id)");
  if (t.add_eos && t.eos == kNoToken) fail("add_eos_token is true, but there is no EOS token (eos_token_id)");

  // ---- text-based detection (llama.cpp: "auto-detect special tokens by text") ----
  auto force_control = [&](TokenId id) { t.attr[id] |= token_attr::kControl; };
  auto detect = [&](TokenId& slot, std::initializer_list<std::string_view> names) {
    if (slot != kNoToken) return;
    for (auto name : names) {  // first name in list order that exists
      const TokenId id = t.lookup(name);
      if (id != kNoToken) {
        slot = id;
        force_control(id);
        return;
      }
    }
  };
  detect(t.eot, {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
                 "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"});
  detect(t.eom, {"<|eom_id|>"});
  detect(t.fim_pre, {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
                     "<|code_prefix|>", "<|prefix|>"});
  detect(t.fim_suf, {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
                     "<|code_suffix|>", "<|suffix|>"});
  detect(t.fim_mid, {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
                     "<|code_middle|>", "<|middle|>"});
  detect(t.fim_pad, {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"});
  detect(t.fim_rep, {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"});
  detect(t.fim_sep, {"<|file_sep|>"});

  for (size_t i = 0; i < n; ++i) {  // control tokens named "unused"
    if ((t.attr[i] & token_attr::kControl) && t.text[i].find("unused") != std::string_view::npos) {
      t.attr[i] |= token_attr::kUnused;
    }
  }

  // ---- end-of-generation set ----
  std::vector<uint8_t> eog(n, 0);
  for (TokenId id : {t.fim_pad, t.fim_rep, t.fim_sep}) {
    if (id != kNoToken) eog[id] = 1;
  }
  for (std::string_view name :
       {"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["}) {
    const TokenId id = t.lookup(name);
    if (id != kNoToken) {
      eog[id] = 1;
      force_control(id);
    }
  }
  for (std::string_view name : {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"}) {
    const TokenId id = t.lookup(name);
    if (id != kNoToken) t.attr[id] = token_attr::kUserDefined;  // gpt-oss: always rendered
  }
  for (TokenId id : {t.eos, t.eot, t.eom}) {
    if (id != kNoToken) eog[id] = 1;
  }
  {
    auto in_eog = [&](std::string_view name) {
      const TokenId id = t.lookup(name);
      return id != kNoToken && eog[id] ? id : kNoToken;
    };
    const TokenId end_id = in_eog("<|end|>");
    if (end_id != kNoToken &&
        ((in_eog("<|return|>") != kNoToken && in_eog("<|call|>") != kNoToken) ||
         ((in_eog("<|call|>") != kNoToken || in_eog("<|calls|>") != kNoToken) && in_eog("<|flush|>") != kNoToken))) {
      eog[end_id] = 0;
      t.attr[end_id] = token_attr::kUserDefined;
    }
    const TokenId s_id = in_eog("</s>");
    if (s_id != kNoToken && in_eog("<|tool_response>") != kNoToken) {
      eog[s_id] = 0;
      t.attr[s_id] = token_attr::kNormal;
    }
  }
  t.is_eog = eog;
  for (size_t i = 0; i < n; ++i) {
    if (eog[i]) t.eog.push_back(static_cast<TokenId>(i));
  }

  // ---- special-token splitting order: longest text first ----
  std::vector<int32_t> special_ids;
  for (size_t i = 0; i < n; ++i) {
    if (t.attr[i] & (token_attr::kControl | token_attr::kUserDefined | token_attr::kUnknown)) {
      special_ids.push_back(static_cast<int32_t>(i));
    }
  }
  std::stable_sort(special_ids.begin(), special_ids.end(),
                   [&](int32_t a, int32_t b) { return t.text[a].size() > t.text[b].size(); });

  // ---- pieces (with the attributes as they are now, like llama.cpp's cache) ----
  t.piece.reserve(n, bytes);
  for (size_t i = 0; i < n; ++i) t.piece.push(t.make_piece(static_cast<TokenId>(i)));

  // ---- attributes by model / tokenizer name ----
  {
    std::string name;
    if (const GgufValue* v = gguf.find("general.name"); v != nullptr && v->type() == GgufType::STRING) {
      name = std::string(v->as_string());
    }
    std::string arch;
    if (const GgufValue* v = gguf.find("general.architecture"); v != nullptr && v->type() == GgufType::STRING) {
      arch = std::string(v->as_string());
    }
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto contains = [](const std::string& s, std::initializer_list<std::string_view> subs) {
      for (auto sub : subs) {
        if (s.find(sub) != std::string::npos) return true;
      }
      return false;
    };
    auto set_attr = [&](std::string_view token, uint32_t bit, bool on) {
      const TokenId id = t.lookup(token);
      if (id == kNoToken) return;
      t.attr[id] = on ? (t.attr[id] | bit) : (t.attr[id] & ~bit);
    };
    if (contains(t.pre, {"jina-v2-de", "jina-v2-es", "jina-v2-code"}) || contains(arch, {"nomic-bert-moe", "jina-bert-v3"})) {
      set_attr("<mask>", token_attr::kLStrip, true);
    } else if (contains(name, {"phi-3", "phi3"})) {
      for (int32_t id : special_ids) t.attr[id] |= token_attr::kRStrip;
      set_attr("</s>", token_attr::kRStrip, true);
      for (std::string_view tk : {"<unk>", "<s>", "<|endoftext|>"}) set_attr(tk, token_attr::kRStrip, false);
    } else if (contains(name, {"modern-bert"})) {
      set_attr("[MASK]", token_attr::kLStrip, true);
    }
  }
  t.specials.build(special_ids, t.text, t.attr);

  // ---- model-specific tables ----
  if (t.kind == TokenizerKind::Spm) {
    static const char kHex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
      const char buf[6] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
      TokenId id = t.lookup(std::string_view(buf, 6));
      if (id == kNoToken) {
        const char raw = static_cast<char>(b);
        id = t.lookup(std::string_view(&raw, 1));
      }
      t.spm_byte_token[b] = id;
    }
    t.nl = t.spm_byte_token['\n'] != kNoToken ? t.spm_byte_token['\n'] : t.pad;
  } else {
    t.pre_tokenizer = std::make_unique<PreTokenizer>(pre_cfg.regexes);
    const GgufValue* merges_v = find_array(gguf, "tokenizer.ggml.merges", true);
    if (merges_v->array_type() != GgufType::STRING) fail("'tokenizer.ggml.merges' must be an array of strings");
    const std::vector<std::string_view> merges = merges_v->array_strings();
    // Strings of merges that are not vocabulary tokens get symbol ids from n up.
    std::unordered_map<std::string, int32_t> extra;
    auto intern = [&](std::string_view s) -> int32_t {
      const TokenId id = t.lookup(s);
      if (id != kNoToken) return id;
      auto [it, inserted] = extra.emplace(std::string(s), static_cast<int32_t>(n + extra.size()));
      return it->second;
    };
    std::vector<MergeTable::Entry> entries;
    entries.reserve(merges.size());
    std::string joined;
    for (size_t i = 0; i < merges.size(); ++i) {
      const std::string_view m = merges[i];
      const size_t space = m.size() > 1 ? m.find(' ', 1) : std::string_view::npos;
      if (space == std::string_view::npos) continue;  // llama.cpp maps it to ("", ""), which never matches
      const std::string_view left = m.substr(0, space);
      const std::string_view right = m.substr(space + 1);
      if (right.empty()) continue;
      joined.assign(left);
      joined.append(right);
      const int32_t l = intern(left);
      const int32_t r = intern(right);
      entries.push_back({MergeTable::make_key(l, r), static_cast<int32_t>(std::min<size_t>(i, INT32_MAX)), intern(joined)});
    }
    t.merges.build(std::move(entries));
    for (int b = 0; b < 256; ++b) {
      const std::string& sym = byte_symbol(static_cast<uint8_t>(b));
      TokenId id = t.lookup(sym);
      if (id == kNoToken) {
        auto it = extra.find(sym);
        id = it == extra.end() ? kNoToken : it->second;
      }
      t.byte_sym[b] = id;
      const char raw = static_cast<char>(b);
      t.single_byte_token[b] = t.lookup(std::string_view(&raw, 1));
    }
    std::vector<TokenId> ids;
    t.encode_bpe("\n", ids);
    t.nl = ids.empty() ? t.pad : ids[0];
  }
}

}  // namespace slm::tok
