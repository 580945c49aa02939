// A one-line JSON object writer for metrics and summaries (reading:
// core/json_read.hpp). Strings are escaped; non-finite numbers become null.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sgp::core {

/// Builds `{"key":value,...}` in insertion order.
class json_object {
 public:
  /// Numbers exactly (the shortest text that reads back to the same double).
  json_object() = default;
  /// Numbers to `significant_digits` (printf's %g): metrics lines, where
  /// 17-digit floats tripled the size of a line for nothing.
  explicit json_object(int significant_digits) : digits_(significant_digits) {}

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
  int digits_ = 0;  ///< 0: exact
};

/// `value` as a JSON string literal, quotes included.
std::string json_quote(std::string_view value);

/// `value` as a JSON number, or null when not finite: the shortest text that
/// reads back to `value` (significant_digits 0), else printf's %.{digits}g.
std::string json_number(double value, int significant_digits = 0);

}  // namespace sgp::core
