// A node's training state in a checkpoint: x, w, momentum, batch-norm running
// statistics and the iteration, checked against the config on resume.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "gpu/backend.hpp"

namespace sgp::apps {

/// References to the state that one node trains; saved and restored as is.
struct node_state {
  gpu::backend& backend;
  gpu::model& model;
  gpu::buffer& x;  ///< push-sum numerator (the parameters when w = 1)
  gpu::buffer& momentum;
  double& w;                ///< push-sum weight
  std::int64_t& iteration;  ///< iterations completed
};

/// What a checkpoint must match to be resumed: the data order and the
/// meaning of an iteration depend on all three.
struct run_identity {
  std::string model_name;
  std::uint64_t seed = 0;
  int batch_size = 0;
};

/// Writes `state` (tagged with `id`) to `path` atomically.
core::status save_node_state(const node_state& state, const run_identity& id,
                             const std::string& path);

/// Restores `state` from `path`; fails (naming the path and the entry) if the
/// checkpoint is damaged, holds a value no run writes (a negative iteration,
/// a weight <= 0, a non-finite number), or was written for another model,
/// size, seed or batch size.
core::status load_node_state(const node_state& state, const run_identity& id,
                             const std::string& path);

}  // namespace sgp::apps
