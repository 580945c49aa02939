// An in-place gradient average across several backends' devices (ar-sgd on
// GPUs: NCCL), behind an interface that names no implementation, so that
// actors/ can use it without CUDA headers. The CUDA implementation lives in
// gpu/cuda/nccl_allreduce; make_device_allreduce says why when none applies
// (CPU backends, no NCCL in this binary), and the caller then averages on
// the host.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "gpu/backend.hpp"

namespace sgp::gpu {

/// A clique over backends (each with its device and its stream; several
/// may share a GPU, which is then one rank of the collective). Every call from one thread at a
/// time; the backends must outlive the clique (or the next rebuild()).
class device_allreduce {
 public:
  virtual ~device_allreduce() = default;

  /// What averages and where, e.g. "NCCL over GPUs [0, 1]".
  [[nodiscard]] virtual std::string describe() const = 0;
  /// The GPU of each rank, in order of first use (empty after abort()).
  [[nodiscard]] virtual std::vector<int> devices() const = 0;
  /// Number of ranks, one per GPU (0 after abort() or a failed rebuild()).
  [[nodiscard]] virtual std::size_t size() const = 0;

  /// Replaces grads[b] (a buffer of backend b's, in the order the backends
  /// were given; all the same size) with the average over all of them,
  /// the average of `iteration`, enqueued on each backend's stream after
  /// the work already queued there. No host sync: work that the backends
  /// queue later runs after it. Wrong arity, differing sizes or a failure
  /// of the collective (or of a peer before it) is an error.
  virtual core::status average(std::span<buffer* const> grads, std::uint64_t iteration) = 0;

  /// Copies the average of `iteration` into `into` (a buffer of backend
  /// `b`), enqueued on b's stream after that average: for a node whose
  /// gradient came after the others had averaged that iteration without it
  /// (a revived node continues at its donor's iteration), so that it takes
  /// their step. The averages of the last few iterations are kept once the
  /// clique has been rebuilt (a membership change; before one no node can
  /// come late). Otherwise an error, and `into` is untouched.
  virtual core::status recall(std::uint64_t iteration, buffer& into, backend& b) = 0;

  /// Drops the clique without waiting for any peer (after a failure or a
  /// membership change). average() is an error until a rebuild().
  virtual void abort() = 0;

  /// Aborts the clique and builds a fresh one over `backends` (a subset of
  /// the ranks after a node died, or new backends after one was revived;
  /// the same conditions as make_device_allreduce). An error leaves the
  /// clique empty; the caller then averages on the host.
  virtual core::status rebuild(std::span<backend* const> backends) = 0;
};

/// A device clique over `backends` when each one is a CUDA backend and NCCL
/// is built in (backends that share a GPU are summed there first, then
/// NCCL sums over the GPUs); otherwise an error
/// that says why (the caller averages on the host).
core::result<std::unique_ptr<device_allreduce>> make_device_allreduce(
    std::span<backend* const> backends);

}  // namespace sgp::gpu
