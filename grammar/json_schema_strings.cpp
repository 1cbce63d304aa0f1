// Strings: JSON string syntax, lengths in code points, pattern and format. A pattern
// constrains the decoded text, so each of its characters is spelled in every JSON
// form we accept for it: raw, or escaped when JSON requires or offers an escape.
#include "grammar/gbnf_text.h"
#include "grammar/json_schema_compiler.h"
#include "grammar/json_schema_formats.h"
#include "grammar/regex_emit.h"
#include "slm/error.h"

namespace slm::grammar::schema {

namespace {

const char* kShortEscapes[][2] = {{"\"", "\\\""}, {"\\", "\\\\"}, {"/", "\\/"}, {"\b", "\\b"},
                                  {"\f", "\\f"},  {"\n", "\\n"},  {"\r", "\\r"}, {"\t", "\\t"}};

// Characters of a pattern inside a JSON string. Escapes accepted: the short ones and
// \u00XX for other control characters (hex digits in either case); never \u escapes
// of other characters, which would only make the grammar larger.
class JsonCharStyle : public regex::CharStyle {
 public:
  std::string chars(const regex::CharSet& set) const override {
    regex::CharSet plain = regex::CharSet::range(0x20, regex::kMaxCodePoint);
    regex::CharSet specials;
    specials.add('"', '"');
    specials.add('\\', '\\');
    plain = plain.intersect(specials.complement()).intersect(set);
    std::vector<std::string> alts;
    if (!plain.empty()) alts.push_back(gbnf::char_class(plain));
    for (const auto& esc : kShortEscapes)
      if (set.contains(static_cast<unsigned char>(esc[0][0]))) alts.push_back(gbnf::literal(esc[1]));
    for (char32_t c = 0; c < 0x20; ++c) {
      if (!set.contains(c) || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') continue;
      static const char* kHex = "0123456789abcdef";
      std::string text = gbnf::literal("\\u00") + " \"" + kHex[c >> 4] + "\"";
      const char low = kHex[c & 15];
      if (low >= 'a') text += std::string(" [") + low + static_cast<char>(low - 'a' + 'A') + "]";
      else text += std::string(" \"") + low + "\"";
      alts.push_back("(" + text + ")");
    }
    if (alts.size() == 1) return alts[0];
    std::string out = "(";
    for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i];
    return out + ")";
  }
  std::string any_char() const override { return "cchar"; }
};

std::optional<size_t> length_keyword(const Json& schema, const char* key, const std::string& pointer) {
  if (!schema.contains(key)) return std::nullopt;
  const Json& v = schema[key];
  const bool integral = v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0) ||
                        (v.is_number_float() && v.get<double>() >= 0 && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())));
  if (!integral) throw SchemaError(key, pointer, std::string("\"") + key + "\" must be a non-negative integer");
  const auto n = v.get<uint64_t>();
  if (n > 100000) throw SchemaError(key, pointer, std::string("\"") + key + "\" above 100000 is not supported");
  return static_cast<size_t>(n);
}

}  // namespace

std::string Compiler::pattern_string(const regex::Pattern& pattern, size_t min_len, std::optional<size_t> max_len,
                                     const std::string& keyword, const std::string& pointer) {
  const JsonCharStyle style;
  const bool free_length = min_len == 0 && !max_len;
  std::vector<std::string> alts;
  for (const regex::Branch& branch : pattern.branches) {
    if (free_length) {
      alts.push_back(regex::emit_branch(branch, style));
      continue;
    }
    const regex::LengthRange r = regex::length_range(branch.body);
    if ((max_len && r.min > *max_len) || (r.max && *r.max < min_len && branch.anchored_start && branch.anchored_end))
      continue;  // this branch can never meet the length bounds
    if (branch.anchored_start && branch.anchored_end) {
      const std::optional<regex::Node> narrowed = regex::restrict_length(branch.body, min_len, max_len);
      if (!narrowed)
        throw SchemaError(keyword, pointer, "cannot combine this " + keyword + " with minLength/maxLength exactly");
      alts.push_back(regex::emit_node(*narrowed, style));
      continue;
    }
    if (!r.max || *r.max != r.min)
      throw SchemaError(keyword, pointer,
                        "an unanchored " + keyword + " of variable length cannot be combined with minLength/maxLength");
    // A fixed-length body of k characters plus free characters to reach the bounds.
    const size_t k = r.min;
    const int free_min = static_cast<int>(min_len > k ? min_len - k : 0);
    const int free_max = max_len ? static_cast<int>(*max_len - k) : regex::kUnbounded;
    const std::string body = regex::emit_node(branch.body, style);
    if (branch.anchored_start || branch.anchored_end) {
      const std::string free = gbnf::repeat("cchar", free_min, free_max);
      alts.push_back(branch.anchored_start ? "(" + body + " " + free + ")" : "(" + free + " " + body + ")");
      continue;
    }
    if (free_max == regex::kUnbounded && free_min == 0) {
      alts.push_back(regex::emit_branch(branch, style));
      continue;
    }
    if (free_max == regex::kUnbounded || free_max > 32)
      throw SchemaError(keyword, pointer, "an unanchored " + keyword + " with these length bounds is not supported");
    for (int before = 0; before <= free_max; ++before) {
      const int after_min = std::max(0, free_min - before);
      alts.push_back("(" + gbnf::repeat("cchar", before, before) + " " + body + " " +
                     gbnf::repeat("cchar", after_min, free_max - before) + ")");
    }
  }
  if (alts.empty()) return std::string();
  std::string out = "(";
  for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i];
  return out + ")";
}

Expr Compiler::string_value(const Json& schema, const std::string& pointer) {
  const size_t min_len = length_keyword(schema, "minLength", pointer).value_or(0);
  const std::optional<size_t> max_len = length_keyword(schema, "maxLength", pointer);
  if (max_len && *max_len < min_len) return std::nullopt;
  std::optional<regex::Pattern> pattern;
  std::string keyword;
  if (schema.contains("pattern")) {
    if (!schema["pattern"].is_string()) throw SchemaError("pattern", pointer, "must be a string");
    try {
      pattern = regex::parse(schema["pattern"].get<std::string>());
    } catch (const SchemaError&) {
      throw;
    } catch (const Error& e) {
      throw SchemaError("pattern", pointer, e.what());
    }
    keyword = "pattern";
  }
  if (schema.contains("format") && schema["format"].is_string()) {
    const std::string format = schema["format"].get<std::string>();
    const FormatSupport support = format_support(format);
    if (support == FormatSupport::kRefused)
      throw SchemaError("format", pointer, "format \"" + format + "\" is not supported");
    if (support == FormatSupport::kEnforced) {
      if (pattern) throw SchemaError("format", pointer, "format together with pattern is not supported");
      pattern = regex::parse(format_pattern(format));
      keyword = "format";
    }
  }
  const std::string quote = gbnf::literal("\"");
  if (!pattern) {
    if (min_len == 0 && !max_len) return "string";
    return "(" + quote + " " + gbnf::repeat("cchar", static_cast<int>(min_len), max_len ? static_cast<int>(*max_len) : regex::kUnbounded) + " " + quote + ")";
  }
  const std::string content = pattern_string(*pattern, min_len, max_len, keyword, pointer);
  if (content.empty()) return std::nullopt;
  return add_rule(pointer.empty() ? "string" : pointer.substr(pointer.rfind('/') + 1), quote + " " + content + " " + quote);
}

}  // namespace slm::grammar::schema
