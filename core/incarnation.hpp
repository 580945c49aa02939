// A cluster process's incarnation: which life of the process this is (its
// hello's nonce; docs/cluster.md, "Incarnations"). Lives are ordered by it:
// a restart must have a larger one than every earlier life. It is the start
// time in microseconds, and one past the previous life's recorded in the
// process's run directory where the clock is behind that (the host's clock
// stepped back, or the process was restarted on a host whose clock is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace sgp::core {

/// This life's incarnation: `now_us`, or `previous` + 1 when that is larger.
[[nodiscard]] std::uint64_t next_incarnation(std::uint64_t now_us,
                                             std::optional<std::uint64_t> previous);

/// The incarnation recorded in `path` (nothing: no file, or not a number).
[[nodiscard]] std::optional<std::uint64_t> read_incarnation(const std::string& path);

/// Records `incarnation` in `path` (replacing it through a temporary file);
/// the error names the path.
[[nodiscard]] status write_incarnation(const std::string& path, std::uint64_t incarnation);

}  // namespace sgp::core
