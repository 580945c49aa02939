// Builds a compute backend by name ("cpu", "cuda"), so that callers above
// gpu/ never name an implementation.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/host_pinning.hpp"
#include "core/result.hpp"
#include "gpu/backend.hpp"

namespace sgp::gpu {

/// Names accepted by make_backend.
std::vector<std::string> backend_names();

/// The backend called `name` using `threads` CPU threads (0: all cores);
/// an error for a backend that is unknown or not built into this binary.
/// `threads` is for the CPU backend (0: all cores), `device` the GPU for "cuda".
core::result<std::unique_ptr<backend>> make_backend(const std::string& name, int threads,
                                                    int device = 0);

/// How the CUDA backend chooses convolution algorithms for the models built
/// from now on, process-wide (backend.conv_search): the fastest candidates,
/// timed on the device (false, the default), or cuDNN's heuristics' first
/// deterministic candidate, untimed (true), so that runs repeat bit for bit.
/// No effect without CUDA.
void set_reproducible_convolutions(bool on);

/// For the "cuda" backend with more than one distinct GPU in `devices`:
/// enables peer access between every ordered pair the devices allow
/// (process-wide, idempotent), so that a push copied from another GPU
/// (cudaMemcpyPeerAsync) goes over NVLink or PCIe directly instead of being
/// staged through host memory by the driver. Returns a line for the log
/// that names the pairs with and without access; empty for other backends
/// or a single GPU. An error names the device CUDA refused.
core::result<std::string> enable_peer_access(const std::string& backend, std::vector<int> devices);

/// What pins host memory for `backend`'s GPUs (core/host_pinning.hpp):
/// cudaHostRegister for "cuda" (on `device`, one of the process's GPUs);
/// null for other backends, which copy nothing to a device.
std::shared_ptr<const core::host_pinning> host_pinning_of(const std::string& backend,
                                                          int device = 0);

/// Opens (true) or closes (false) the region a profiler attached with
/// "profile from start off" records (ncu --profile-from-start off): the
/// timed steps of a benchmark, not its warm-up and algorithm search. No
/// effect without CUDA or without a profiler.
void profiled_region(bool open);

}  // namespace sgp::gpu
