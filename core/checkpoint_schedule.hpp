// When a group pauses for a checkpoint, and (across processes) whether every
// live process has paused at the one iteration. The pauses are a pure
// function of the settings, so every process of a cluster computes the same
// ones without being told (docs/cluster.md, "Checkpoints"). No I/O.
#pragma once

#include <cstdint>
#include <vector>

namespace sgp::core {

/// The first multiple of `every` after iteration `after` that comes before
/// `total` (the run's last iteration needs no pause: the end follows); 0
/// when there is none or `every` is 0.
[[nodiscard]] std::uint64_t next_checkpoint(std::uint64_t every, std::uint64_t total,
                                            std::uint64_t after);

/// Every live process (`live[p]`) paused at `at` (`held[p] == at`; a
/// shorter `held` counts the rest as not paused); false for `at` 0 or when
/// no process is live.
[[nodiscard]] bool all_held(const std::vector<bool>& live, const std::vector<std::uint64_t>& held,
                            std::uint64_t at);

/// The live processes not paused at `at`, in order.
[[nodiscard]] std::vector<std::size_t> not_held(const std::vector<bool>& live,
                                                const std::vector<std::uint64_t>& held,
                                                std::uint64_t at);

}  // namespace sgp::core
