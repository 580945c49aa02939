// The unit parsers live in core/units.hpp (console commands need them too);
// config code uses them under their config-namespace names.
#pragma once

#include "core/units.hpp"

namespace sgp::config {
using core::parse_bandwidth_bits_per_second;
using core::parse_duration_seconds;
}  // namespace sgp::config
