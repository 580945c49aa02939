// Reading JSON: a small strict reader (one document, no trailing bytes,
// nesting at most 64 deep). sgp writes its JSON with core/json.hpp; the
// remote console reads the status page's, and tests read what sgp wrote.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sgp::core {

struct json_value {
  enum class type { null, boolean, number, string, array, object } kind = type::null;
  bool boolean = false;
  double number = 0.0;
  std::string text;
  std::vector<json_value> items;
  std::map<std::string, json_value> fields;

  /// The member `key` of an object, or a null value when there is none.
  [[nodiscard]] const json_value& operator[](const std::string& key) const;
};

/// The document, or nothing when it is not exactly one JSON value.
[[nodiscard]] std::optional<json_value> parse_json(std::string_view text);

}  // namespace sgp::core
