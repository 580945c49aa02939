// The JSON reader (see json_read.hpp).
#include "core/json_read.hpp"

#include <cstdlib>

namespace sgp::core {
namespace {

class json_reader {
 public:
  explicit json_reader(std::string_view s) : s_(s) {}

  std::optional<json_value> document() {
    auto v = value(0);
    space();
    if (!v || pos_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool take(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  std::optional<std::string> string() {
    if (!take("\"")) return std::nullopt;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      if (c == '\\') {
        if (pos_ >= s_.size()) return std::nullopt;
        c = s_[pos_++];
        if (c == 'n')
          c = '\n';
        else if (c == 't')
          c = '\t';
        else if (c == 'r')
          c = '\r';
        else if (c == 'u') {
          if (pos_ + 4 > s_.size()) return std::nullopt;
          c = static_cast<char>(std::strtol(std::string(s_.substr(pos_, 4)).c_str(), nullptr, 16));
          pos_ += 4;
        } else if (c != '"' && c != '\\' && c != '/') {
          return std::nullopt;
        }
      }
      out += c;
    }
    if (!take("\"")) return std::nullopt;
    return out;
  }
  std::optional<json_value> value(int depth) {
    space();
    json_value v;
    if (pos_ >= s_.size() || depth > max_depth) return std::nullopt;
    const char c = s_[pos_];
    if (take("null")) return v;
    if (take("true") || take("false")) {
      v.kind = json_value::type::boolean;
      v.boolean = s_[pos_ - 1] == 'e' && s_[pos_ - 2] == 'u';
      return v;
    }
    if (c == '"') {
      auto s = string();
      if (!s) return std::nullopt;
      v.kind = json_value::type::string;
      v.text = *s;
      return v;
    }
    if (c == '[' || c == '{') {
      const bool object = c == '{';
      v.kind = object ? json_value::type::object : json_value::type::array;
      ++pos_;
      space();
      if (take(object ? "}" : "]")) return v;
      for (;;) {
        space();
        std::string key;
        if (object) {
          auto k = string();
          space();
          if (!k || !take(":")) return std::nullopt;
          key = *k;
        }
        auto item = value(depth + 1);
        if (!item) return std::nullopt;
        if (object)
          v.fields[key] = *item;
        else
          v.items.push_back(*item);
        space();
        if (take(",")) continue;
        if (take(object ? "}" : "]")) return v;
        return std::nullopt;
      }
    }
    if (c != '-' && (c < '0' || c > '9')) return std::nullopt;
    const std::string chunk(s_.substr(pos_, 40));
    char* end = nullptr;
    v.number = std::strtod(chunk.c_str(), &end);
    const auto used = static_cast<std::size_t>(end - chunk.c_str());
    if (used == 0) return std::nullopt;
    pos_ += used;
    v.kind = json_value::type::number;
    return v;
  }

  static constexpr int max_depth = 64;
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

const json_value& json_value::operator[](const std::string& key) const {
  static const json_value missing;
  const auto it = fields.find(key);
  return it == fields.end() ? missing : it->second;
}

std::optional<json_value> parse_json(std::string_view text) {
  return json_reader(text).document();
}

}  // namespace sgp::core
