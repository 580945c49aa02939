// One NCCL communicator per device of this process (a clique made by
// ncclCommInitAll), with the collective the trainer needs (an in-place
// average of one float buffer per device) and the fault path: abort every
// rank after a device failure, and rebuild the clique over the survivors.
// Built only when NCCL is found (SGP_HAVE_NCCL).
#pragma once

#include <cuda_runtime.h>
#include <nccl.h>

#include <cstddef>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace sgp::gpu::cuda {

/// Move-only owner of a single-process NCCL clique: rank r runs on
/// `devices()[r]`. Every call from one host thread; the ranks' calls are
/// grouped (ncclGroupStart/End) so that a single thread can drive them all.
class nccl_group {
 public:
  /// A clique over `devices` (distinct, in range; rank order = list order).
  /// Sets NCCL_NVLS_ENABLE=0 first unless the user set it (see
  /// core/nccl_env.hpp). Errors name the devices and NCCL's error string.
  static core::result<nccl_group> create(std::vector<int> devices);

  nccl_group(const nccl_group&) = delete;
  nccl_group& operator=(const nccl_group&) = delete;
  nccl_group(nccl_group&& other) noexcept;
  nccl_group& operator=(nccl_group&& other) noexcept;
  /// Finalizes and destroys every rank; aborts them instead when a rank
  /// reports an asynchronous error (a finalize could then hang).
  ~nccl_group();

  /// The device of each rank, in rank order (empty after abort()).
  [[nodiscard]] const std::vector<int>& devices() const { return devices_; }
  /// Number of ranks (0 after abort() or when moved from).
  [[nodiscard]] std::size_t size() const { return comms_.size(); }
  [[nodiscard]] bool empty() const { return comms_.empty(); }

  /// Replaces `buffers[r]` (device memory of rank r, `count` floats) with
  /// the average over all ranks, enqueued on `streams[r]` (a stream of
  /// rank r's device). Asynchronous: no host sync; order later work on
  /// the streams. Wrong arity or a NCCL failure is an error.
  core::status all_reduce_average(std::span<float* const> buffers, std::size_t count,
                                  std::span<const cudaStream_t> streams);
  /// The same with the sum over all ranks instead of the average.
  core::status all_reduce_sum(std::span<float* const> buffers, std::size_t count,
                              std::span<const cudaStream_t> streams);

  /// The first asynchronous error that any rank reports (a peer that died
  /// mid-collective, say), or success. Cheap, no host sync.
  [[nodiscard]] core::status async_error() const;

  /// Aborts every rank (ncclCommAbort: in-flight collectives are dropped,
  /// nothing waits for a failed peer) and leaves the group empty.
  void abort();

  /// Aborts this clique and replaces it with one over `survivors` (a
  /// non-empty subset of devices(), in the new rank order). A survivor
  /// that is not a member is an error that leaves the group untouched; a
  /// failed re-creation leaves it empty.
  core::status rebuild(std::vector<int> survivors);

 private:
  nccl_group(std::vector<int> devices, std::vector<ncclComm_t> comms);
  void release() noexcept;
  core::status all_reduce(std::span<float* const> buffers, std::size_t count,
                          std::span<const cudaStream_t> streams, ncclRedOp_t op, const char* what);

  std::vector<int> devices_;
  std::vector<ncclComm_t> comms_;
};

}  // namespace sgp::gpu::cuda
