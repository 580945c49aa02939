// core::host_pinning for CUDA: cudaHostRegister / cudaHostUnregister, so
// that the host buffers a push between processes passes through (an
// out-edge's T, the forwarded sums) are copied to and from a GPU by DMA.
// Only standard and project headers here.
#pragma once

#include <memory>

#include "core/host_pinning.hpp"

namespace sgp::gpu::cuda {

/// The pinning functions (shared by every user; thread-safe, as the CUDA
/// calls are). A range CUDA refuses to register stays pageable: logged
/// once, not an error.
std::shared_ptr<const core::host_pinning> cuda_host_pinning();

}  // namespace sgp::gpu::cuda
