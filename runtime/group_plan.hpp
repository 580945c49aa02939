// What a group's nodes are made of, from the configuration: the gossip
// options, the emulated links and each node's compute set-up. Shared by the
// one-process supervisor and a cluster's process host. No CAF here. Every
// choice reads the typed settings (config/settings.hpp), never a name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/command.hpp"
#include "core/gossip_node.hpp"
#include "core/group_checkpoint.hpp"
#include "net/link_emulator.hpp"
#include "runtime/compute_engine.hpp"

namespace sgp::runtime {

/// What a group checkpoint of `nodes` nodes with `parameters` parameters
/// each must match to be resumed under `cfg` (one process's or a cluster's).
core::group_identity group_identity_of(const config::config& cfg, std::size_t nodes,
                                       std::size_t parameters);

/// The push-sum options of the configured algorithm.
core::gossip_options gossip_options_of(const config::config& cfg, const config::settings& set);

/// algorithm.overlap_from_epoch in iterations, once an epoch's are known:
/// the iteration before which bounded osgp waits as sgp does.
void set_overlap_start(core::gossip_options& o, const config::config& cfg, std::int64_t per_epoch);

/// The emulator as the config describes it, for cluster.nodes nodes.
net::link_emulator configured_links(const config::config& cfg, const config::settings& set);

/// The emulator of a process of a cluster: as configured when the config
/// has a [network] table, else links that cost nothing (the real network
/// is the network; link faults still act on their up/down state).
net::link_emulator cluster_links(const config::config& cfg, const config::settings& set);

/// A node's compute set-up for a group of `n` nodes (node and device are
/// filled in per node).
compute_setup compute_setup_of(const config::config& cfg, const config::settings& set,
                               std::size_t n);

/// A scripted fault ([[faults]]) as the command it runs, and whether it has
/// fired.
struct scripted_fault {
  std::int64_t at_iteration = -1;
  double at_seconds = -1.0;
  core::command command;
  bool fired = false;

  /// Due at iteration `it` (the fastest node's) or `seconds` into the run.
  [[nodiscard]] bool due(std::uint64_t it, double seconds) const {
    return !fired && ((at_iteration >= 0 && it >= static_cast<std::uint64_t>(at_iteration)) ||
                      (at_seconds >= 0.0 && seconds >= at_seconds));
  }
};

/// The configured faults, in order.
std::vector<scripted_fault> scripted_faults(const config::config& cfg, const config::settings& set);

/// What a resume from the cut at iteration `cut` does with the faults due
/// at or before it (at_iteration <= cut: a node reports the cut's
/// iteration before it pauses there, so those fired before the cut).
struct faults_at_resume {
  /// Kill and revive: their outcome is in the checkpoint (a node killed
  /// then holds no state, a node revived holds its own), so they are
  /// marked fired. Run again, a kill would throw a resumed node's state
  /// away. Their command lines.
  std::vector<std::string> settled;
  /// The others (links, partitions, slow nodes): a checkpoint holds no
  /// link or speed, so they fire again at the resumed run's first report,
  /// in order, and leave the links as they were at the cut.
  std::vector<std::string> replayed;
};
/// Marks the faults at or before `cut` fired as above, and says which:
/// those due by iteration (at_iteration <= cut) and, where `seconds` is
/// known (>= 0: the run's seconds at the cut), those due by time
/// (at_seconds <= seconds). With `every_kind` (a restarted process that
/// rejoins: its welcome replays the links the cluster applied, and its
/// view has the other nodes' kills and revives) every such fault is
/// settled, none replayed.
faults_at_resume settle_faults_before(std::vector<scripted_fault>& faults, std::uint64_t cut,
                                      bool every_kind = false, double seconds = -1.0);

/// The log lines that say so, `where` naming the start ("the cut at
/// iteration 40"); none when no fault was due up to it.
std::vector<std::string> resume_fault_lines(const faults_at_resume& f, const std::string& where);

}  // namespace sgp::runtime
