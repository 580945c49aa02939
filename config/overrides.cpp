// `--set key.path=value` overrides (see overrides.hpp).
#include "config/overrides.hpp"

#include <string_view>

namespace sgp::config::detail {
namespace {

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

/// Splits "a.b.c" into its parts; empty when a part is empty or not a bare key.
std::vector<std::string> split_key_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string_view part =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return {};
    for (char c : part) {
      if (!is_bare_key_char(c)) return {};
    }
    parts.emplace_back(part);
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

/// Parses `value` as the right-hand side of a TOML key/value pair; a value
/// that is not valid TOML (a bare word) becomes a string.
toml::table parse_value(const std::string& value) {
  try {
    const std::string line = "v = " + value;
    toml::table doc = toml::parse(std::string_view{line}, std::string_view{"--set"});
    if (doc.size() == 1 && doc.contains("v")) return doc;
  } catch (const toml::parse_error&) {
    // Not a TOML value: taken as a string below.
  }
  toml::table doc;
  doc.insert("v", value);
  return doc;
}

}  // namespace

core::status apply_override(toml::table& root, const std::string& text,
                            std::vector<override_origin>& origins) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) {
    return core::error{"--set " + text + ": expected key.path=value"};
  }
  const std::string key_path = text.substr(0, eq);
  const std::vector<std::string> parts = split_key_path(key_path);
  if (parts.empty()) {
    return core::error{"--set " + text + ": '" + key_path +
                       "' is not a key path (dot-separated names of letters, digits, _ and -)"};
  }

  toml::table* table = &root;
  std::string path;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    path += (path.empty() ? "" : ".") + parts[i];
    toml::node* node = table->get(parts[i]);
    if (node == nullptr) {
      table->insert(parts[i], toml::table{});
      node = table->get(parts[i]);
      origins.push_back({path, text});
    }
    if (!node->is_table()) {
      const std::string what = node->is_array_of_tables()
                                   ? "an array of tables; --set cannot index into it"
                                   : "not a table";
      return core::error{"--set " + text + ": " + path + ": is " + what};
    }
    table = node->as_table();
  }

  toml::table parsed = parse_value(text.substr(eq + 1));
  parsed.get("v")->visit(
      [&](auto& value) { table->insert_or_assign(parts.back(), std::move(value)); });
  origins.push_back({key_path, text});
  return {};
}

}  // namespace sgp::config::detail
