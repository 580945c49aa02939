// The process reducer (ar-sgd across processes): a detached actor, on a
// thread of its own, that runs the blocking sum across processes
// (net::gloo_allreduce) one request at a time, so that no collective ever
// holds a scheduler thread or an I/O callback. Request: (reduce_atom,
// iteration, values, live processes); answer: the sum, or an error whose
// text says what failed.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "actors/cluster_messages.hpp"
#include "actors/messages.hpp"
#include "core/result.hpp"

namespace sgp::actors {

/// The blocking sum: (iteration, values, live processes) -> the sum.
using process_sum_fn = std::function<core::result<std::vector<double>>(
    std::uint64_t, std::vector<double>, const std::vector<bool>&)>;

/// The same sum with the gradients on the process's GPUs (NCCL's device
/// path, gpu::process_sum::average_on_device): (iteration, the process's
/// nodes' gradients, floats each, their count, live processes) -> the
/// total count; every gradient becomes the average in place.
using process_device_sum_fn = std::function<core::result<double>(
    std::uint64_t, std::span<float* const>, std::size_t, double, const std::vector<bool>&)>;

/// Spawn detached (caf::detached): each request blocks its thread. A
/// second request, (reduce_atom, iteration, engines, count, live
/// processes), runs `device_sum` on the engines' gradient buffers (this
/// process's nodes whose gradient is in, on its GPUs) and answers the
/// total count (an error when `device_sum` is null).
caf::behavior process_reducer(caf::event_based_actor* self, process_sum_fn sum,
                              process_device_sum_fn device_sum);

/// What the AllReduce actor needs to sum across processes.
struct process_reduction {
  caf::actor reducer;                       ///< process_reducer
  std::vector<std::uint32_t> node_process;  ///< the process of each node
  std::uint32_t process = 0;                ///< this one
  std::vector<std::string> names;           ///< process names (for messages)
  /// After a failed sum: how long to wait for a process to leave the view
  /// before the run ends with the error.
  double view_wait_seconds = 20.0;
  std::string engine = "Gloo";  ///< what sums (for the log): Gloo, or NCCL on GPU d
  /// The process's nodes' gradients are averaged on their GPUs (the
  /// reducer's device request): their compute actors send no host copy.
  bool on_device = false;
};

}  // namespace sgp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::actors::process_reduction)
