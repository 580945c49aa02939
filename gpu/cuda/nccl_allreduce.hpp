// The CUDA implementation of gpu::device_allreduce: an nccl_group over the
// GPUs of CUDA backends, averaging on each backend's own stream. Only
// standard and project headers here, so the backend factory can include it
// without CUDA's. Built only when NCCL is found (SGP_HAVE_NCCL).
#pragma once

#include <memory>
#include <span>

#include "core/result.hpp"
#include "gpu/backend.hpp"
#include "gpu/device_allreduce.hpp"

namespace sgp::gpu::cuda {

/// A clique over `backends` (rank r = backends[r]): each must be a CUDA
/// backend (make_cuda_backend) on a GPU that no other rank uses. Errors
/// say which rank or which shared GPU, or what NCCL reported.
core::result<std::unique_ptr<device_allreduce>> make_nccl_allreduce(
    std::span<backend* const> backends);

}  // namespace sgp::gpu::cuda
