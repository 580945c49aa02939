// Bandwidth and duration parsing (see units.hpp).
#include "core/units.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace sgp::core {
namespace {

struct unit {
  std::string_view name;
  double scale;
};

constexpr unit bandwidth_units[] = {{"bit", 1.0},  {"bps", 1.0},  {"Kbit", 1e3},  {"kbit", 1e3},
                                    {"Kbps", 1e3}, {"kbps", 1e3}, {"Mbit", 1e6},  {"Mbps", 1e6},
                                    {"Gbit", 1e9}, {"Gbps", 1e9}, {"Tbit", 1e12}, {"Tbps", 1e12}};

constexpr unit duration_units[] = {
    {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"ms", 1e-3}, {"s", 1.0}};

/// Splits "<decimal><unit>", looks the unit up and returns number * scale.
template <std::size_t N>
result<double> parse_with_units(std::string_view text, const unit (&units)[N],
                                std::string_view what, std::string_view unit_list) {
  std::string quoted(1, '"');
  quoted.append(text);
  quoted.push_back('"');
  std::size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
    ++digits;
  }
  if (digits == 0) {
    return make_error("bad " + std::string(what) + " " + quoted +
                      ": expected a non-negative number followed by a unit (" +
                      std::string(unit_list) + ")");
  }
  double number = 0.0;
  const char* first = text.data();
  const auto [ptr, ec] = std::from_chars(first, first + digits, number);
  if (ec != std::errc{} || ptr != first + digits || !std::isfinite(number)) {
    return make_error("bad " + std::string(what) + " " + quoted + ": '" +
                      std::string(text.substr(0, digits)) + "' is not a number");
  }
  const std::string_view suffix = text.substr(digits);
  if (suffix.empty()) {
    return make_error("bad " + std::string(what) + " " + quoted + ": missing unit (" +
                      std::string(unit_list) + ")");
  }
  for (const unit& u : units) {
    if (u.name == suffix) return number * u.scale;
  }
  return make_error("bad " + std::string(what) + " " + quoted + ": unknown unit '" +
                    std::string(suffix) + "' (expected " + std::string(unit_list) + ")");
}

}  // namespace

result<double> parse_bandwidth_bits_per_second(std::string_view text) {
  auto bits = parse_with_units(text, bandwidth_units, "bandwidth", "bit, Kbit, Mbit, Gbit, Tbit");
  if (bits.ok() && *bits <= 0.0) {
    return make_error("bad bandwidth \"" + std::string(text) + "\": must be > 0");
  }
  return bits;
}

result<double> parse_duration_seconds(std::string_view text) {
  auto seconds = parse_with_units(text, duration_units, "duration", "ns, us, ms, s");
  // Timers take nanoseconds in 64 bits; far beyond that a latency wrapped
  // round to instant delivery. No run waits a day for one message.
  if (seconds.ok() && *seconds > max_duration_seconds) {
    return make_error("bad duration \"" + std::string(text) + "\": must be at most 1 day (" +
                      std::to_string(static_cast<long long>(max_duration_seconds)) + "s)");
  }
  return seconds;
}

}  // namespace sgp::core
