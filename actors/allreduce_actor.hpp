// The AllReduce actor (ar-sgd): averages every live node's gradient each
// iteration and returns the average after the time a ring AllReduce takes
// over the emulated links: 2(m-1) steps of size/m bytes between ring
// neighbours (m live nodes), each step as slow as its slowest link. The sum
// itself is computed once, here; the links decide when it is delivered.
// On the host path each compute actor sends its gradient, a shared
// immutable buffer, with its arrival (grad_atom); the actor never reads
// another node's engine.
//
// With a gpu::device_allreduce (CUDA nodes on GPUs of their own, NCCL built
// in) the gradients never leave the GPUs: once every live node's gradient
// is in, one grouped NCCL average runs on the nodes' compute streams (the
// compute actors wait, so nothing else is queued there) and the reply,
// after the same ring time, carries no data. A membership change aborts
// the clique and rebuilds it over the live nodes; if that fails the actor
// averages on the host for the rest of the run.
//
// In a cluster (process_reduction, sent once after the spawn: across_atom)
// the actor waits only for this process's live nodes; it then sums
// [sum of their gradients, their count] across the processes on the
// process reducer's thread (net::gloo_allreduce), one iteration at a time
// and in order, and every node applies total / count. A failed sum (a peer
// died, the deadline passed) is redone once the view of the live processes
// changed (the rebuild over the survivors); if it does not change within
// process_reduction::view_wait_seconds, the actor stops with the error and
// the run ends.
#pragma once

#include <caf/all.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/handles.hpp"
#include "actors/messages.hpp"
#include "actors/process_reducer.hpp"
#include "gpu/device_allreduce.hpp"
#include "net/link_emulator.hpp"
#include "runtime/compute_engine.hpp"

namespace sgp::actors {

struct allreduce_state {
  net::link_emulator links{1, {}, 0};
  std::vector<compute_handle> computes;  ///< by node id (current incarnations)
  std::vector<bool> live;
  std::uint64_t bytes_per_element = 4;
  struct pending {
    std::vector<double> sum;
    std::vector<bool> from;     ///< contributed (or excused: joined later)
    std::vector<bool> arrived;  ///< device path: this node's gradient is on its GPU
    int contributions = 0;
    /// Across processes: [every process's sums, total count], once summed
    /// (on the device path: [total count], the average being in place).
    std::optional<std::vector<double>> total;
    bool on_device = false;  ///< across processes: averaged in place on this process's GPU
  };
  std::map<std::uint64_t, pending> iterations;
  /// The highest iteration averaged so far (-1: none). Iterations complete
  /// in order, so a gradient for one at or below it comes from a node that
  /// (re)joined while that iteration was under way, excused from it.
  std::int64_t completed_through = -1;
  double ring_seconds = 0.0;  ///< total time charged so far
  /// Host path: the averages of the last recent_kept iterations, by
  /// iteration, so that a revived node's late gradient is answered with the
  /// average its donor applied (its replica then stays identical).
  std::map<std::uint64_t, shared_floats> recent;
  static constexpr std::size_t recent_kept = 16;
  /// Spawned with a device path: only then are the engines kept (the host
  /// path averages the gradients that come in grad_atom messages).
  bool device_path = false;
  /// By node id (live nodes; device path and its fallback; across
  /// processes on the GPU, this process's node).
  engine_list engines;
  std::size_t elements = 0;  ///< floats per gradient
  /// Device path: the engines the clique was built over, in rank order (it
  /// keeps their streams alive while the clique may use them).
  engine_list clique;
  /// The device path; null on the host path. Declared last so that it is
  /// destroyed first, before the engines whose streams it queued work on.
  std::shared_ptr<gpu::device_allreduce> device;
  /// Across processes (a cluster); none in one process.
  std::optional<process_reduction> across;
  bool reducing = false;          ///< a sum is with the process reducer
  std::vector<bool> failed_live;  ///< the live processes of the last failed sum (empty: none)
  double failed_at = 0.0;         ///< when it failed (clock seconds)
  std::string failed_why;
  bool watching = false;  ///< the failure's timer runs
  static inline const char* name = "sgp.allreduce";
};

/// Seconds one ring AllReduce of `bytes` takes over `links` among `live`.
double ring_allreduce_seconds(const net::link_emulator& links, const std::vector<bool>& live,
                              std::uint64_t bytes);

/// `device` (may be null: host path) was built over `engines` in node order;
/// on the host path `engines` (and those of later views) are not kept.
allreduce_handle::behavior_type allreduce_actor(
    allreduce_handle::stateful_pointer<allreduce_state> self, net::link_emulator links,
    std::uint64_t bytes_per_element, std::shared_ptr<gpu::device_allreduce> device,
    engine_list engines);

}  // namespace sgp::actors
