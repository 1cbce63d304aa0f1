#include "grammar/ordered_json.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "slm/error.h"

namespace slm::grammar {

namespace {

using Json = nlohmann::ordered_json;

// Objects and arrays under construction are open entries; a value read goes to the
// innermost one, and a closed one becomes a value of its parent.
class Builder : public nlohmann::json_sax<Json> {
 public:
  Json take() { return std::move(root_); }
  const std::string& error() const { return error_; }

  bool null() override { return put(nullptr); }
  bool boolean(bool v) override { return put(v); }
  bool number_integer(number_integer_t v) override { return put(v); }
  bool number_unsigned(number_unsigned_t v) override { return put(v); }
  bool number_float(number_float_t v, const string_t&) override { return put(v); }
  bool string(string_t& v) override { return put(std::move(v)); }
  bool binary(binary_t&) override { return false; }  // JSON text has none
  bool start_object(std::size_t) override {
    open_.push_back({true, {}, {}, {}});
    return true;
  }
  bool key(string_t& k) override {
    open_.back().key = std::move(k);
    return true;
  }
  bool end_object() override {
    Open o = std::move(open_.back());
    open_.pop_back();
    Json object = Json::object();
    auto& members = object.get_ref<Json::object_t&>();
    members.reserve(o.members.size());
    // Duplicate keys: looked for by a scan in small objects, through a map in large ones.
    const bool small = o.members.size() <= 8;
    std::unordered_map<std::string_view, size_t> seen;  // views of keys in `members` (reserved)
    for (auto& [k, v] : o.members) {
      Json* earlier = nullptr;
      if (small) {
        for (auto& m : members) earlier = m.first == k ? &m.second : earlier;
      } else if (const auto it = seen.find(k); it != seen.end()) {
        earlier = &(members.begin() + static_cast<std::ptrdiff_t>(it->second))->second;
      }
      if (earlier != nullptr) {
        *earlier = std::move(v);
        continue;
      }
      members.emplace_back(std::move(k), std::move(v));
      if (!small) seen.emplace(members.back().first, members.size() - 1);
    }
    return put(std::move(object));
  }
  bool start_array(std::size_t) override {
    open_.push_back({false, {}, {}, {}});
    return true;
  }
  bool end_array() override {
    Json array = Json::array();
    array.get_ref<Json::array_t&>() = std::move(open_.back().items);
    open_.pop_back();
    return put(std::move(array));
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error_ = e.what();
    return false;
  }

 private:
  struct Open {
    bool object;
    std::vector<std::pair<std::string, Json>> members;
    std::vector<Json> items;
    std::string key;  // of the member being read
  };
  bool put(Json&& v) {
    if (open_.empty()) {
      root_ = std::move(v);
    } else if (open_.back().object) {
      open_.back().members.emplace_back(std::move(open_.back().key), std::move(v));
    } else {
      open_.back().items.push_back(std::move(v));
    }
    return true;
  }

  std::vector<Open> open_;
  Json root_;
  std::string error_;
};

}  // namespace

Json parse_ordered_json(std::string_view text) {
  Builder builder;
  if (!Json::sax_parse(text.begin(), text.end(), &builder)) throw Error("not valid JSON: " + builder.error());
  return builder.take();
}

}  // namespace slm::grammar
