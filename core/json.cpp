// Implementation of the JSON object writer (see json.hpp).
#include "core/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace sgp::core {

std::string json_quote(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string json_number(double value, int significant_digits) {
  if (!std::isfinite(value)) return "null";
  char buf[64];
  if (significant_digits > 0) {
    std::snprintf(buf, sizeof(buf), "%.*g", significant_digits, value);
    return buf;
  }
  const auto end = std::to_chars(buf, buf + sizeof(buf), value).ptr;
  return {buf, end};
}

void json_object::key(std::string_view k) {
  if (body_.size() > 1) body_ += ',';
  body_ += json_quote(k);
  body_ += ':';
}

json_object& json_object::add(std::string_view k, std::string_view value) {
  key(k);
  body_ += json_quote(value);
  return *this;
}

json_object& json_object::add(std::string_view k, double value) {
  key(k);
  body_ += json_number(value, digits_);
  return *this;
}

json_object& json_object::add(std::string_view k, std::int64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

json_object& json_object::add(std::string_view k, bool value) {
  key(k);
  body_ += value ? "true" : "false";
  return *this;
}

json_object& json_object::add(std::string_view k, std::span<const double> values) {
  key(k);
  body_ += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) body_ += ',';
    body_ += json_number(values[i], digits_);
  }
  body_ += ']';
  return *this;
}

json_object& json_object::add_raw(std::string_view k, std::string_view raw) {
  key(k);
  body_ += raw;
  return *this;
}

}  // namespace sgp::core
