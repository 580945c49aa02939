// A multi-node run's checkpoint: every live node's state from one consistent
// cut (taken once the supervisor has drained what was in flight, so the
// nodes' w add up to the group's weight), in one core::checkpoint file
// (atomic rename, checksum). A resume checks that it was written for the
// same group (nodes, algorithm, model, seed, batch size, parameters).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::core {

/// What a group checkpoint must match to be resumed.
struct group_identity {
  int nodes = 0;
  std::string algorithm;
  std::string model;
  std::uint64_t seed = 0;
  int batch_size = 0;
  std::size_t parameters = 0;
};

/// One node's state at the cut.
struct node_record {
  int node = 0;
  std::uint64_t iteration = 0;  ///< iterations completed (also the data position)
  std::uint64_t round = 0;      ///< the next round to push (reference OSGP)
  double w = 0.0;               ///< push-sum weight
  std::vector<float> z;         ///< de-biased model x / w
  std::vector<float> momentum;
  std::vector<float> running_stats;  ///< batch-norm statistics
};

struct group_state {
  std::vector<node_record> nodes;  ///< by node id, the nodes that held mass at the cut
  double lost_weight = 0.0;        ///< weight lost to failures before the cut
  /// The cut's name (core::pause_cut_name, or an end's), the same in every
  /// process's file of it; empty: none written (a file of one process).
  std::string cut;
  /// Seconds of training at the cut (the clock [[faults]]' at_seconds
  /// count on); -1: not recorded (a file of an earlier version).
  double seconds = -1.0;
  /// Loaded only: the nodes asked for that the file holds no state for
  /// (dead at the cut, or revived and still without mass); a resume
  /// starts them without mass, as a revive does.
  std::vector<int> without_state;
};

/// Writes `state` to `path` atomically (temporary file, fsync, rename).
[[nodiscard]] status save_group_checkpoint(const std::string& path, const group_identity& id,
                                           const group_state& state);

/// Reads `path` and checks it against `id`: a mismatch names both values, a
/// damaged file or a value no run writes names the path and the entry.
/// `only`: the nodes it is for (a cluster process's file holds its own, and
/// a state of any other node is refused, naming it); empty: every node of
/// the group, of which at least one must have state. Nodes without state
/// are listed in `without_state`.
[[nodiscard]] result<group_state> load_group_checkpoint(const std::string& path,
                                                        const group_identity& id,
                                                        const std::vector<int>& only = {});

}  // namespace sgp::core
