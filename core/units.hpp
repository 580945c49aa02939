// Parsers for the unit strings in configs and console commands: bandwidths
// ("10Gbit", "1.5Gbit", "100Mbit") and durations ("5ms", "200us", "1s").
#pragma once

#include <string_view>

#include "core/result.hpp"

namespace sgp::core {

/// Parses a bandwidth "<number><unit>" into bits per second. Units: bit, Kbit,
/// Mbit, Gbit, Tbit (decimal, 1 Kbit = 1000 bit; "kbit" also accepted and
/// "bps" may stand for "bit": "10Gbps"). The number is a non-negative decimal
/// ("1.5Gbit"); the result must be > 0.
result<double> parse_bandwidth_bits_per_second(std::string_view text);

/// The longest duration parse_duration_seconds accepts: one day.
inline constexpr double max_duration_seconds = 86400.0;

/// Parses a duration "<number><unit>" into seconds. Units: ns, us (or µs), ms,
/// s. The number is a non-negative decimal; "0ms" is valid, a bare "0" is not;
/// more than max_duration_seconds is an error.
result<double> parse_duration_seconds(std::string_view text);

}  // namespace sgp::core
