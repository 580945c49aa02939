// The compute actor: runs a node's gradient steps on its backend (through
// compute_engine) at the z the worker wrote into the engine's z buffer, and
// tells the worker when the step's delta is in the engine's delta buffer.
// With AllReduce it sends the gradient out and steps when the average returns
// (on GPUs with NCCL the gradient stays on the device and is averaged there).
#pragma once

#include <caf/all.hpp>

#include <memory>

#include "actors/handles.hpp"
#include "actors/messages.hpp"
#include "runtime/compute_engine.hpp"

namespace sgp::actors {

struct compute_state {
  std::shared_ptr<runtime::compute_engine> engine;
  std::shared_ptr<const data::dataset> test;
  worker_handle worker;
  allreduce_handle allreduce;  ///< set only for ar-sgd
  int node = 0;
  double slow_factor = 1.0;
  // AllReduce: the step waits for the averaged gradient.
  bool pending = false;
  std::uint64_t pending_iteration = 0;
  double pending_loss = 0.0;
  double pending_seconds = 0.0;
  double pending_since = 0.0;  ///< when the gradient went to the AllReduce
  /// The AllReduce averages the gradient in place on the device: send no
  /// host copy. Follows the replies (a null average means in place), so a
  /// fallback to the host path mid-run corrects it.
  bool device_grads = false;
  static inline const char* name = "sgp.compute";
};

/// Spawn with the node's engine, test set, worker and (ar-sgd) allreduce
/// actor, and whether that averages gradients on the devices.
compute_handle::behavior_type compute_actor(compute_handle::stateful_pointer<compute_state> self,
                                            std::shared_ptr<runtime::compute_engine> engine,
                                            std::shared_ptr<const data::dataset> test,
                                            worker_handle worker, allreduce_handle allreduce,
                                            int node, bool device_grads = false);

}  // namespace sgp::actors
