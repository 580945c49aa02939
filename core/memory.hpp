// How much memory this machine has, and the one-line error for a size that
// cannot fit in it: checked before allocating, instead of bad_alloc or an
// OOM kill.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace sgp::core {

/// Bytes of physical memory on this machine (0 when unknown: checks pass).
std::uint64_t physical_memory_bytes();

/// "6.3 TiB", "74.0 MiB".
std::string bytes_text(double bytes);

/// An error "WHAT need X, more than this machine's Y of memory" when `need`
/// bytes exceed `memory` (0: unknown, passes). `need` is a double so that the
/// products that make it never overflow.
status check_memory(double need, std::uint64_t memory, const std::string& what);

}  // namespace sgp::core
