// Runs one process of a cluster to the end (`sgp node`): its nodes, the
// data plane to the other processes, the end of the run. No CAF here.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/result.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::actors {

struct cluster_member {
  std::string name;
  std::string host;  ///< hostname or address; others connect here
  int port = 0;
  int nodes = 1;
  std::vector<int> devices;  ///< GPUs of this process (empty: backend.devices)
};

struct cluster_layout {
  std::vector<cluster_member> processes;
  std::size_t self = 0;  ///< this process's index
  std::uint32_t program_version = 0;
  std::uint64_t settings_hash = 0;  ///< of `settings`
  std::string settings;             ///< config/settings_text.hpp: every process must agree
  std::string secret;               ///< shared; empty: none
  double process_timeout = 1.0;     ///< seconds of silence before a process is dead
  double join_timeout = 60.0;       ///< seconds to wait for every process at start
};

struct cluster_outcome {
  bool coordinator = false;      ///< this process wrote RUN_DIR/summary.json
  runtime::run_summary summary;  ///< the whole run's (coordinator only)
  /// This process was cut off (held dead by the others after an outage):
  /// it must start again to rejoin (docs/cluster.md, "Outages"); `why` says so.
  bool restart = false;
  std::string why;
};

/// Runs process `layout.self` until the cluster's run ends; `stop_signal`
/// (may be null) is polled: once nonzero the cluster is told to stop.
core::result<cluster_outcome> run_cluster_process(const config::config& cfg,
                                                  const config::settings& set,
                                                  const cluster_layout& layout,
                                                  const std::atomic<int>* stop_signal);

}  // namespace sgp::actors
