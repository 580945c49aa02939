// The CUDA implementation of gpu::device_allreduce: an nccl_group over the
// GPUs of CUDA backends (several backends may share one), averaging on the
// backends' own streams. Only
// standard and project headers here, so the backend factory can include it
// without CUDA's. Built only when NCCL is found (SGP_HAVE_NCCL).
#pragma once

#include <memory>
#include <span>

#include "core/result.hpp"
#include "gpu/backend.hpp"
#include "gpu/device_allreduce.hpp"

namespace sgp::gpu::cuda {

/// A clique over `backends`: each must be a CUDA backend
/// (make_cuda_backend). NCCL takes one rank per GPU, the first backend on
/// it; the gradients of backends that share a GPU are summed there first.
/// Errors say which backend, or what NCCL reported.
core::result<std::unique_ptr<device_allreduce>> make_nccl_allreduce(
    std::span<backend* const> backends);

}  // namespace sgp::gpu::cuda
