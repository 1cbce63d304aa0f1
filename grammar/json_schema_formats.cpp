// Formats as patterns. Each is exact or narrower than its RFC:
// - date: years 1000-9999, February only up to the 28th (no leap-year arithmetic);
// - time: RFC 3339 full-time with upper-case Z, no leap second, at most 9 fraction digits;
// - date-time: date "T" time;
// - duration: ISO 8601 as JSON Schema's appendix A writes it (P..Y..M..D T..H..M..S, or ..W);
// - uuid: 8-4-4-4-12 hex digits;
// - hostname: 1 to 4 LDH labels of at most 62 characters (so the total stays within 253);
// - email: dot-atom local part (no quoted strings) "@" a hostname (no IP literals);
// - ipv4: dotted quad without leading zeros; ipv6: 8 groups or "::" compressed, no
//   embedded IPv4, no zone;
// - uri: scheme "://" host [":" port] path [query], percent-escapes allowed, no fragment.
#include "grammar/json_schema_formats.h"

#include <set>

namespace slm::grammar::schema {

namespace {

const std::string kDate =
    "[1-9]\\d{3}-((0[13578]|1[02])-(0[1-9]|[12]\\d|3[01])|(0[469]|11)-(0[1-9]|[12]\\d|30)|02-(0[1-9]|1\\d|2[0-8]))";
const std::string kTime = "([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)";
const std::string kLabel = "[A-Za-z0-9]([A-Za-z0-9-]{0,60}[A-Za-z0-9])?";
const std::string kHostname = kLabel + "(\\." + kLabel + "){0,3}";
const std::string kOctet = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const std::string kAtom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const std::string kUriChar = "([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})";

std::string duration() {
  const std::string time = "T(\\d+H(\\d+M)?(\\d+S)?|\\d+M(\\d+S)?|\\d+S)";
  const std::string date = "(\\d+Y(\\d+M)?(\\d+D)?|\\d+M(\\d+D)?|\\d+D)";
  return "P(" + date + "(" + time + ")?|" + time + "|\\d+W)";
}

std::string ipv6() {
  const std::string h = "[0-9a-fA-F]{1,4}";
  std::string out = h + "(:" + h + "){7}";
  for (int left = 0; left <= 7; ++left) {
    std::string alt = left == 0 ? "" : h + "(:" + h + "){" + std::to_string(left - 1) + "}";
    alt += "::";
    const int right = 7 - left;
    if (right > 0) alt += "(" + h + "(:" + h + "){0," + std::to_string(right - 1) + "})?";
    out += "|" + alt;
  }
  return out;
}

}  // namespace

FormatSupport format_support(const std::string& format) {
  static const std::set<std::string> kEnforced = {"date",  "time",     "date-time", "duration", "uuid", "email",
                                                  "hostname", "ipv4", "ipv6",      "uri"};
  static const std::set<std::string> kRefused = {"regex", "iri", "iri-reference", "uri-reference", "uri-template",
                                                 "json-pointer", "relative-json-pointer", "idn-email",
                                                 "idn-hostname"};
  if (kEnforced.count(format)) return FormatSupport::kEnforced;
  if (kRefused.count(format)) return FormatSupport::kRefused;
  return FormatSupport::kUnknown;
}

std::string format_pattern(const std::string& format) {
  std::string body;
  if (format == "date") body = kDate;
  else if (format == "time") body = kTime;
  else if (format == "date-time") body = kDate + "T" + kTime;
  else if (format == "duration") body = duration();
  else if (format == "uuid") body = "[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}";
  else if (format == "hostname") body = kHostname;
  else if (format == "email") body = kAtom + "(\\." + kAtom + ")*@" + kHostname;
  else if (format == "ipv4") body = kOctet + "(\\." + kOctet + "){3}";
  else if (format == "ipv6") body = ipv6();
  else body = "[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9.-]+(:\\d{1,5})?(/" + kUriChar + "*)*(\\?(" + kUriChar + "|[/?])*)?";
  return "^(" + body + ")$";
}

}  // namespace slm::grammar::schema
