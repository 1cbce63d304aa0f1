// UTF-8 helpers with the Python `str` semantics the Jinja interpreter needs:
// code point indexing, whitespace as str.isspace(), simple case mapping.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace slm::jinja {

// True when `s` is well-formed UTF-8 without surrogates or overlong forms.
bool valid_utf8(std::string_view s);
// Decodes the code point starting at s[i] (s must be valid UTF-8) and advances i.
char32_t next_code_point(std::string_view s, std::size_t& i);
void append_utf8(std::string& out, char32_t cp);
std::size_t count_code_points(std::string_view s);
// Byte offset of every code point start, plus s.size() at the end.
std::vector<std::size_t> code_point_offsets(std::string_view s);

// Python str.isspace() for one code point (also what `\s` matches in Python's re).
bool is_space(char32_t c);
// Approximations of str.isalpha / isdigit / isalnum / isprintable, exact for ASCII.
bool is_alpha(char32_t c);
bool is_digit(char32_t c);
bool is_printable(char32_t c);
// Simple case mappings (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic); others unchanged.
bool is_upper(char32_t c);
bool is_lower(char32_t c);
void append_upper(std::string& out, char32_t c);  // 'ß' becomes "SS" as in Python
void append_lower(std::string& out, char32_t c);

std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);

// str.strip/lstrip/rstrip: `chars` == nullptr strips whitespace, else any code point of *chars.
std::string_view strip(std::string_view s, const std::string* chars, bool left, bool right);

}  // namespace slm::jinja
