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

/// Writes `state` (tagged with the model name and seed) to `path` atomically.
core::status save_node_state(const node_state& state, const std::string& model_name,
                             std::uint64_t seed, const std::string& path);

/// Restores `state` from `path`; fails (naming the path) if the checkpoint is
/// damaged or was written for another model, size or seed.
core::status load_node_state(const node_state& state, const std::string& model_name,
                             std::uint64_t seed, const std::string& path);

}  // namespace sgp::apps
