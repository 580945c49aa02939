// ar-sgd's sum across processes on GPUs: the same contract as Gloo's
// (net/gloo/gloo_allreduce.hpp: [each process's partial sums, its count]
// summed over the live processes, in fp32 on the wire, the same bits on
// every member, a rebuild over the survivors after a failure and the
// agreement on a sum that one survivor had already applied), over NCCL
// between one GPU of each process: NVLink or PCIe on a host, NCCL's network
// transports between hosts, instead of Gloo's TCP ring through the CPUs.
// The rendezvous (NCCL's unique id) goes through functions the caller gives
// (the cluster's store). No CUDA here; make_nccl_process_sum says why when
// NCCL is not built in.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::gpu {

struct process_sum_setup {
  std::uint32_t process = 0;
  std::vector<std::string> names;  ///< process names by index (for messages)
  int device = 0;                  ///< this process's GPU for the collective
  /// Each rendezvous and each collective: past it, the communicator is
  /// aborted (a peer died) and the sum is an error.
  std::chrono::milliseconds timeout{15000};
  /// Keeps `value` under `key` for every process (the store's set).
  std::function<void(const std::string& key, const std::vector<char>& value)> publish;
  /// The value of `key`, waiting up to the timeout (the store's get).
  std::function<core::result<std::vector<char>>(const std::string& key,
                                                std::chrono::milliseconds timeout)>
      fetch;
};

class process_sum {
 public:
  virtual ~process_sum() = default;
  /// The element-wise sum of `values` over the processes marked in `live`
  /// (this one among them) for `iteration`; every live process calls it for
  /// the same iterations, in order, from one thread. The error names the
  /// processes and what failed.
  virtual core::result<std::vector<double>> sum(std::uint64_t iteration, std::vector<double> values,
                                                const std::vector<bool>& live) = 0;
  /// The same sum with the gradients on GPUs, no host copy: `grads` (each
  /// n floats of device memory, on any of the process's GPUs, no work
  /// pending on them) are this process's nodes' gradients, `count` in all
  /// (a node's gradient may already be a sum). They are summed in fp32 on
  /// this process's GPU (setup.device) in the order given, that sum and
  /// `count` are summed over the live processes, and every buffer in
  /// `grads` becomes the average: every process's sums divided by the
  /// total count, the same bits as sum() followed by core::average_of_sum
  /// (so processes on either path keep identical replicas, and they may
  /// mix in one sum). A failed sum leaves every buffer as it was, to be
  /// redone after a rebuild. Returns the total count.
  virtual core::result<double> average_on_device(std::uint64_t iteration,
                                                 std::span<float* const> grads, std::size_t n,
                                                 double count, const std::vector<bool>& live) = 0;
  /// "NCCL on GPU 1", for the log.
  [[nodiscard]] virtual std::string describe() const = 0;
};

/// NCCL between one GPU per process; an error when NCCL is not built in.
core::result<std::unique_ptr<process_sum>> make_nccl_process_sum(process_sum_setup setup);

/// Whether this binary has NCCL (so make_nccl_process_sum can succeed).
[[nodiscard]] bool nccl_built();

}  // namespace sgp::gpu
