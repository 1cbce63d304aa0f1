// JSON text to nlohmann::ordered_json (members in text order), several times faster than
// ordered_json::parse on large schemas: that one inserts each member into its object as
// it is read, and since a member's key is const, every time the object's vector grows
// it copies (not moves) the members already there, whole subtrees included; and its
// lexer appends every byte to a token buffer. This parse reads strings in runs, gathers
// an object's members first and builds the object once. The result is the same,
// duplicate keys included (the last value wins, at the place of the first).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace slm::grammar {

// Throws slm::Error "not valid JSON: WHAT at byte N".
nlohmann::ordered_json parse_ordered_json(std::string_view text);

}  // namespace slm::grammar
