#include "tokenizer/pretokenize.h"

#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>

#include <map>
#include <utility>

#include "slm/error.h"
#include "tokenizer/codepoints.h"

namespace slm::tok {

namespace {

// ---- regex lists (llama.cpp's strings; the vocabulary was trained with them) ----------

const char* const kGpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const char* const kLlama3 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char* const kLlama3Original =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char* const kQwen2 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char* const kQwen35 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| "
    "?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char* const kCjk = "[一-龥ࠀ-一가-퟿]+";
const char* const kBloom = " ?[^(\\s|.,!?…。，、।۔،)]+";
const char* const kDeepseek3Main =
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| "
    "?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+";
const char* const kCaseSplitTail =
    "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char* const kContractions = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

std::vector<std::string> regexes_default() {
  return {"[\\p{P}\\$\\+<=>\\^~\\|]+", kGpt2, "\\p{N}+", "[0-9][0-9][0-9]"};
}
std::vector<std::string> regexes_deepseek_llm() {
  return {"[\r\n]",
          "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
          "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
          "\\s+$",
          kCjk,
          "\\p{N}+"};
}
std::vector<std::string> regexes_tekken() {
  return {std::string("[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|"
                      "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*") +
          kCaseSplitTail};
}
std::vector<std::string> regexes_gpt4o() {
  return {std::string("[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+") + kContractions +
          "?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*" + kContractions +
          "?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"};
}

}  // namespace

PreTokenizerConfig pre_tokenizer_config(std::string_view pre) {
  PreTokenizerConfig c;
  auto is = [&](std::initializer_list<std::string_view> names) {
    for (auto n : names) {
      if (pre == n) return true;
    }
    return false;
  };
  const std::vector<std::string> starcoder = {"\\p{N}", kGpt2};
  if (pre.empty() || pre == "default") {
    c.regexes = regexes_default();
  } else if (is({"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                 "jina-v5-nano"})) {
    c.regexes = {kLlama3};
    c.ignore_merges = true;
    c.add_bos = 1;
  } else if (is({"dbrx", "smaug-bpe"})) {
    c.regexes = {kLlama3};
  } else if (is({"glm4", "chatglm-bpe"})) {
    c.regexes = {kLlama3};
    c.no_bos = true;
  } else if (pre == "minicpm5") {
    c.regexes = {"\\p{N}{1,3}", std::string(kContractions) +
                                    "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
                                    "\\s+(?!\\S)|\\s+"};
    c.ignore_merges = true;
  } else if (pre == "deepseek-llm") {
    c.regexes = regexes_deepseek_llm();
    c.clean_spaces = false;
  } else if (pre == "deepseek-coder") {
    c.regexes = {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", kCjk, "\\p{N}"};
    c.clean_spaces = false;
  } else if (is({"deepseek-v3", "hunyuan-dense", "hy_v4", "joyai-llm"})) {
    c.regexes = {"\\p{N}{1,3}", "[一-龥぀-ゟ゠-ヿ]+", kDeepseek3Main};
    c.clean_spaces = false;
  } else if (pre == "falcon") {
    c.regexes = {"[\\p{P}\\$\\+<=>\\^~\\|`]+", kGpt2, "[0-9][0-9][0-9]"};
  } else if (is({"starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"})) {
    c.regexes = starcoder;
  } else if (is({"smollm", "command-r"})) {
    c.regexes = starcoder;
    c.clean_spaces = false;
  } else if (is({"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
                 "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais", "exaone4"})) {
    c.regexes = {kGpt2};
  } else if (is({"trillion", "granite-docling"})) {
    c.regexes = {kGpt2};
    c.clean_spaces = false;
  } else if (is({"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "grok-2", "solar-open"})) {
    c.regexes = {kQwen2};
    c.clean_spaces = false;
  } else if (is({"stablelm2", "megrez"})) {
    c.regexes = {kQwen2};
  } else if (pre == "qwen35") {
    c.regexes = {kQwen35};
    c.clean_spaces = false;
  } else if (is({"poro-chat"})) {
    c.regexes = {kBloom};
    c.clean_spaces = false;
  } else if (is({"bloom", "gpt3-finnish"})) {
    c.regexes = {kBloom};
  } else if (pre == "viking") {
    c.regexes = {kBloom, "\\p{N}"};
    c.clean_spaces = false;
  } else if (pre == "tekken") {
    c.regexes = regexes_tekken();
    c.clean_spaces = false;
    c.ignore_merges = true;
    c.add_bos = 1;
  } else if (pre == "chameleon") {
    c.regexes = {"<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\\t\\n]|    |  )", "\\p{N}",
                 "[\\p{P}!-/:-@\\[-`{-~]", kGpt2};
    c.add_bos = 1;
    c.clean_spaces = false;
  } else if (is({"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"})) {
    c.regexes = regexes_gpt4o();
    c.clean_spaces = false;
  } else if (pre == "superbpe") {
    c.regexes = {"\\p{N}+", "(?=(\\d{3})+(?!\\d))"};
    c.clean_spaces = false;
  } else if (is({"bailingmoe", "bailingmoe2", "llada-moe"})) {
    c.regexes = {"'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
                 "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+"};
    c.clean_spaces = false;
  } else if (pre == "seed-coder") {
    c.regexes = {std::string(kContractions) +
                 "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"};
    c.clean_spaces = false;
  } else {
    throw Error("tokenizer: unsupported pre-tokenizer '" + std::string(pre) + "' (tokenizer.ggml.pre)");
  }
  return c;
}

// ---- hand-written splitters for the two most common patterns ---------------------------

namespace {

struct Span {
  const uint32_t* cpt;
  const uint8_t* flags;
  size_t end;
  uint8_t f(size_t p) const { return p < end ? flags[p] : 0; }  // 0 = outside the piece
};

void split_gpt2(const Span& s, size_t pos, std::vector<size_t>& out) {
  constexpr uint8_t kWLN = kWhitespace | kLetter | kNumber;
  while (pos < s.end) {
    const uint32_t c = s.cpt[pos];
    if (c == '\'' && pos + 1 < s.end) {
      const uint32_t n1 = s.cpt[pos + 1];
      if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
        out.push_back(2);
        pos += 2;
        continue;
      }
      if (pos + 2 < s.end) {
        const uint32_t n2 = s.cpt[pos + 2];
        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
          out.push_back(3);
          pos += 3;
          continue;
        }
      }
    }
    const size_t lead = (c == ' ') ? 1 : 0;
    const uint8_t f2 = s.f(pos + lead);
    size_t p = pos + lead;
    if (f2 & kLetter) {
      while (s.f(p) & kLetter) ++p;
    } else if (f2 & kNumber) {
      while (s.f(p) & kNumber) ++p;
    } else if (f2 != 0 && !(f2 & kWLN)) {
      while (s.f(p) != 0 && !(s.f(p) & kWLN)) ++p;
    } else {
      size_t nws = 0;
      while (s.f(pos + nws) & kWhitespace) ++nws;
      if (nws > 1 && pos + nws < s.end) {
        p = pos + nws - 1;  // \s+(?!\S): leave the last one for the next word
      } else if (nws > 0) {
        p = pos + nws;
      } else {
        p = pos + 1;
      }
    }
    out.push_back(p - pos);
    pos = p;
  }
}

void split_llama3(const Span& s, size_t pos, std::vector<size_t>& out) {
  constexpr uint8_t kWLN = kWhitespace | kLetter | kNumber;
  while (pos < s.end) {
    const uint32_t c = s.cpt[pos];
    const uint8_t f = s.flags[pos];
    if (c == '\'' && pos + 1 < s.end) {
      const uint32_t n1 = ascii_lower(s.cpt[pos + 1]);
      if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
        out.push_back(2);
        pos += 2;
        continue;
      }
      if (pos + 2 < s.end) {
        const uint32_t n2 = ascii_lower(s.cpt[pos + 2]);
        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
          out.push_back(3);
          pos += 3;
          continue;
        }
      }
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (c != '\r' && c != '\n' && !(f & kNumber) && ((f & kLetter) || (s.f(pos + 1) & kLetter))) {
      size_t p = pos + 1;
      while (s.f(p) & kLetter) ++p;
      out.push_back(p - pos);
      pos = p;
      continue;
    }
    // \p{N}{1,3}
    if (f & kNumber) {
      size_t p = pos;
      while (s.f(p) & kNumber) ++p;
      size_t run = p - pos;
      for (; run >= 3; run -= 3) out.push_back(3);
      if (run > 0) out.push_back(run);
      pos = p;
      continue;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    const size_t lead = (c == ' ') ? 1 : 0;
    const uint8_t f2 = lead ? s.f(pos + 1) : f;
    if (!(f2 & kWLN)) {
      size_t p = pos + lead;
      while (s.f(p) != 0 && !(s.f(p) & kWLN)) ++p;
      while (p < s.end && (s.cpt[p] == '\r' || s.cpt[p] == '\n')) ++p;
      out.push_back(p - pos);
      pos = p;
      continue;
    }
    size_t nws = 0;
    size_t last_newline_end = 0;
    while (s.f(pos + nws) & kWhitespace) {
      const uint32_t w = s.cpt[pos + nws];
      ++nws;
      if (w == '\r' || w == '\n') last_newline_end = nws;
    }
    size_t len;
    if (last_newline_end > 0) {
      len = last_newline_end;  // \s*[\r\n]+
    } else if (nws > 1 && pos + nws < s.end) {
      len = nws - 1;  // \s+(?!\S)
    } else if (nws > 0) {
      len = nws;  // \s+
    } else {
      len = 1;
    }
    out.push_back(len);
    pos += len;
  }
}

// Translates llama.cpp's \p{X} classes for the collapsed text (see collapse_cpt).
bool collapse_class(std::string_view name, std::string& out, bool inside) {
  uint32_t rep = 0;
  const char* ascii = "";
  if (name == "\\p{N}") {
    rep = 0xD1;
    ascii = "0-9";
  } else if (name == "\\p{L}" || name == "\\p{Lu}" || name == "\\p{Ll}" || name == "\\p{Lt}" ||
             name == "\\p{Lm}" || name == "\\p{Lo}") {
    rep = 0xD2;
    ascii = "A-Za-z";
  } else if (name == "\\p{P}") {
    rep = 0xD3;
    ascii = "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}";
  } else if (name == "\\p{M}") {
    rep = 0xD4;
  } else if (name == "\\p{S}") {
    rep = 0xD5;
    ascii = "\\$\\+<->^`\\|";
  } else {
    return false;
  }
  if (!inside) out += '[';
  out += static_cast<char>(rep);
  out += ascii;
  if (!inside) out += ']';
  return true;
}

bool uses_categories(std::string_view re) {
  for (const char* cat : {"\\p{N}", "\\p{L}", "\\p{P}", "\\p{M}", "\\p{S}"}) {
    if (re.find(cat) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

struct PreTokenizer::Step {
  enum Kind { kGpt2Custom, kLlama3Custom, kCollapsed, kWide } kind = kGpt2Custom;
  pcre2_code* code = nullptr;
  ~Step() {
    if (code != nullptr) pcre2_code_free(code);
  }
};

PreTokenizer::PreTokenizer(const std::vector<std::string>& regexes) {
  for (const auto& re : regexes) {
    auto step = std::make_unique<Step>();
    std::vector<uint32_t> pattern;
    if (re == kGpt2) {
      step->kind = Step::kGpt2Custom;
    } else if (re == kLlama3 || re == kLlama3Original) {
      step->kind = Step::kLlama3Custom;
    } else if (uses_categories(re)) {
      step->kind = Step::kCollapsed;
      std::string collapsed;
      bool inside = false;
      for (size_t i = 0; i < re.size(); ++i) {
        if (re[i] == '[' && (i == 0 || re[i - 1] != '\\')) {
          collapsed += '[';
          inside = true;
          continue;
        }
        if (inside && re[i] == ']' && re[i - 1] != '\\') {
          collapsed += ']';
          inside = false;
          continue;
        }
        if (re[i] == '\\' && i + 3 < re.size() && re[i + 1] == 'p' && re[i + 2] == '{') {
          const size_t close = re.find('}', i + 3);
          if (close != std::string::npos && close <= i + 10 &&
              collapse_class(std::string_view(re).substr(i, close - i + 1), collapsed, inside)) {
            i = close;
            continue;
          }
        }
        collapsed += re[i];
      }
      for (char ch : collapsed) pattern.push_back(static_cast<uint8_t>(ch));
    } else {
      step->kind = Step::kWide;
      decode_utf8_lenient(re, pattern);
    }
    if (step->kind == Step::kCollapsed || step->kind == Step::kWide) {
      int err = 0;
      PCRE2_SIZE err_off = 0;
      step->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 PCRE2_DOLLAR_ENDONLY, &err, &err_off, nullptr);
      if (step->code == nullptr) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, 256);
        std::string m;
        for (size_t k = 0; k < 256 && msg[k] != 0; ++k) m += static_cast<char>(msg[k] < 128 ? msg[k] : '?');
        throw Error("tokenizer: cannot compile pre-tokenizer regex '" + re + "': " + m);
      }
      pcre2_jit_compile(step->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter on failure
    }
    steps_.push_back(std::move(step));
  }
}

PreTokenizer::~PreTokenizer() = default;

namespace {

struct MatchState {
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* stack = nullptr;
  ~MatchState() {
    if (data != nullptr) pcre2_match_data_free(data);
    if (context != nullptr) pcre2_match_context_free(context);
    if (stack != nullptr) pcre2_jit_stack_free(stack);
  }
};

int run_match(const pcre2_code* code, MatchState& st, const uint32_t* subject, size_t len, size_t start,
              uint32_t options) {
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject), len, start, options, st.data, st.context);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT && st.stack == nullptr) {
    st.stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr);
    st.context = pcre2_match_context_create(nullptr);
    if (st.stack == nullptr || st.context == nullptr) throw Error("tokenizer: out of memory for the regex stack");
    pcre2_jit_stack_assign(st.context, nullptr, st.stack);
    rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject), len, start, options, st.data, st.context);
  }
  return rc;
}

// Splits each piece of `in` by the regex like std::regex_iterator does: text before a
// match, and the match itself, each become a piece; the rest after the last match too.
void split_regex(const pcre2_code* code, const std::vector<uint32_t>& subject, const std::vector<size_t>& in,
                 std::vector<size_t>& out) {
  MatchState st;
  st.data = pcre2_match_data_create_from_pattern(code, nullptr);
  if (st.data == nullptr) throw Error("tokenizer: out of memory for regex match data");
  size_t base = 0;
  for (size_t len : in) {
    const uint32_t* s = subject.data() + base;
    size_t last_end = 0;
    size_t pos = 0;
    bool retry_nonempty = false;
    while (pos <= len) {
      const uint32_t opts = retry_nonempty ? (PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED) : 0;
      const int rc = run_match(code, st, s, len, pos, opts);
      if (rc == PCRE2_ERROR_NOMATCH) {
        if (retry_nonempty) {
          retry_nonempty = false;
          ++pos;
          continue;
        }
        break;
      }
      if (rc < 0) throw Error("tokenizer: pre-tokenizer regex failed (PCRE2 error " + std::to_string(rc) + ")");
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.data);
      const size_t ms = ov[0];
      const size_t me = ov[1];
      if (ms > last_end) out.push_back(ms - last_end);
      if (me > ms) out.push_back(me - ms);
      last_end = me;
      if (me == ms) {
        retry_nonempty = true;
        pos = me;
      } else {
        retry_nonempty = false;
        pos = me;
      }
    }
    if (last_end < len) out.push_back(len - last_end);
    base += len;
  }
}

}  // namespace

void PreTokenizer::split(const std::vector<uint32_t>& cpts, std::vector<size_t>& lengths) const {
  lengths.clear();
  if (cpts.empty()) return;
  std::vector<uint8_t> flags(cpts.size());
  for (size_t i = 0; i < cpts.size(); ++i) flags[i] = cpt_flags(cpts[i]);
  std::vector<uint32_t> collapsed;
  std::vector<uint32_t> wide;
  std::vector<size_t> cur{cpts.size()};
  std::vector<size_t> next;
  for (const auto& step : steps_) {
    next.clear();
    next.reserve(cur.size() * 2);
    switch (step->kind) {
      case Step::kGpt2Custom:
      case Step::kLlama3Custom: {
        size_t base = 0;
        for (size_t len : cur) {
          const Span span{cpts.data(), flags.data(), base + len};
          if (step->kind == Step::kGpt2Custom) {
            split_gpt2(span, base, next);
          } else {
            split_llama3(span, base, next);
          }
          base += len;
        }
        break;
      }
      case Step::kCollapsed:
        if (collapsed.empty()) {
          collapsed.resize(cpts.size());
          for (size_t i = 0; i < cpts.size(); ++i) collapsed[i] = collapse_cpt(cpts[i]);
        }
        split_regex(step->code, collapsed, cur, next);
        break;
      case Step::kWide:
        if (wide.empty()) {
          wide.resize(cpts.size());
          for (size_t i = 0; i < cpts.size(); ++i) {
            wide[i] = (cpts[i] > 0x7F && (flags[i] & kWhitespace)) ? 0x0B : cpts[i];
          }
        }
        split_regex(step->code, wide, cur, next);
        break;
    }
    std::swap(cur, next);
  }
  lengths = std::move(cur);
}

}  // namespace slm::tok
