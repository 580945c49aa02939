// core::host_pinning for CUDA: cudaHostRegister / cudaHostUnregister, so
// that the host buffers a push between processes passes through (an
// out-edge's T, the forwarded sums) are copied to and from a GPU by DMA.
// Only standard and project headers here.
#pragma once

#include <memory>

#include "core/host_pinning.hpp"

namespace sgp::gpu::cuda {

/// The pinning functions for a process whose GPUs include `device`
/// (thread-safe, as the CUDA calls are). Each call first makes `device`
/// current on the calling thread and leaves it so: with no device current,
/// CUDA would use (and create a context on) GPU 0, and every CUDA call of
/// this code base sets its device first anyway. A range CUDA refuses to
/// register stays pageable: logged once, not an error.
std::shared_ptr<const core::host_pinning> cuda_host_pinning(int device = 0);

}  // namespace sgp::gpu::cuda
