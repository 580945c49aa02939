// The CUDA compute backend's entry point. Only standard and project headers
// here, so the backend factory can include it without CUDA's.
#pragma once

#include <memory>
#include <optional>

#include "core/result.hpp"
#include "gpu/backend.hpp"

namespace sgp::gpu::cuda {

/// A backend on GPU `device` (one per node, so nodes can use different
/// GPUs): device buffers, models on cuDNN/cuBLAS, fused flat kernels, all
/// queued on one stream of its own. Flat kernels (sgd_step, copy, scale,
/// mix_debias) return as soon as they are queued; download() and the
/// model's forward_backward/evaluate synchronise. An error when no CUDA
/// device can be used (no driver, no GPU, `device` out of range).
/// Training steps are replayed as CUDA graphs unless the environment sets
/// SGP_CUDA_GRAPHS=0.
core::result<std::unique_ptr<backend>> make_cuda_backend(int device);

/// Number of usable CUDA devices; 0 when there is no driver or no GPU.
int cuda_device_count();

/// Where a CUDA backend queues its work: its GPU and its stream (a
/// cudaStream_t, as void* so that this header needs no CUDA headers).
struct cuda_placement {
  int device = -1;
  void* stream = nullptr;
};

/// The placement of `b` when make_cuda_backend made it; nullopt for any
/// other backend. Work queued on the stream is ordered with the backend's.
std::optional<cuda_placement> cuda_placement_of(backend& b);

}  // namespace sgp::gpu::cuda
