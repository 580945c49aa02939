// A one-line JSON object writer for metrics and summaries (no parser: sgp
// only writes JSON). Strings are escaped; non-finite numbers become null.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sgp::core {

/// Builds `{"key":value,...}` in insertion order.
class json_object {
 public:
  json_object& add(std::string_view key, std::string_view value);
  json_object& add(std::string_view key, const char* value) {
    return add(key, std::string_view(value));
  }
  json_object& add(std::string_view key, double value);
  json_object& add(std::string_view key, std::int64_t value);
  json_object& add(std::string_view key, int value) {
    return add(key, static_cast<std::int64_t>(value));
  }
  json_object& add(std::string_view key, bool value);
  json_object& add(std::string_view key, std::span<const double> values);
  /// Inserts `raw` unchanged (an object or array built elsewhere).
  json_object& add_raw(std::string_view key, std::string_view raw);

  /// The finished object.
  [[nodiscard]] std::string str() const { return body_ + "}"; }

 private:
  void key(std::string_view k);
  std::string body_ = "{";
};

/// `value` as a JSON string literal, quotes included.
std::string json_quote(std::string_view value);

/// `value` as a JSON number with round-trip precision, or null.
std::string json_number(double value);

}  // namespace sgp::core
