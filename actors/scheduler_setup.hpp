// How a process sets up its actor system's scheduler: how many threads
// (CAF's scheduler.max-threads) and how idle ones wait for work (CAF's
// work-stealing polling), from cluster.actor_threads and
// cluster.actor_polling. `sgp train` and `sgp node` both go through here.
#pragma once

#include <caf/actor_system_config.hpp>

#include <cstddef>
#include <string>

#include "config/names.hpp"

namespace sgp::actors {

struct scheduler_setup {
  std::size_t threads = 0;  ///< 0: CAF's default (the cores, at least 4)
  /// Idle threads sleep on their queue at once instead of polling it and
  /// the others' (CAF's aggressive and moderate phases skipped).
  bool quiet = false;
  /// What the process logs about it (empty: CAF's defaults, nothing to say).
  std::string why;
};

/// The actor scheduler's threads of a process that shares its host (same
/// address) with `processes_on_host` - 1 others of the cluster: CAF's
/// default for a process alone (the hardware's count, at least 4) divided
/// among them, at least 2.
std::size_t scheduler_threads(std::size_t hardware_threads, std::size_t processes_on_host);

/// `sgp train`: one process alone. `auto` polling is CAF's (busy): quiet
/// measured no faster there (docs/performance.md, session 21).
scheduler_setup scheduler_alone(int actor_threads, config::actor_polling polling);

/// A process of a cluster with `processes_on_host` processes at its
/// address (itself included). `actor_threads` 0 divides the hardware's
/// threads (scheduler_threads); `auto` polling is quiet when the processes'
/// threads together outnumber the hardware's.
scheduler_setup scheduler_in_cluster(int actor_threads, config::actor_polling polling,
                                     std::size_t hardware_threads, std::size_t processes_on_host);

/// Sets up `cfg`: CAF's logger off (sgp logs itself), the scheduler as
/// `setup` says, and sgp's message types.
void configure_actor_system(caf::actor_system_config& cfg, const scheduler_setup& setup);

}  // namespace sgp::actors
