// Everything one node needs on its GPU: the device id, the node's stream,
// and cuBLAS and cuDNN handles bound to that stream. The backend and every
// model it builds share one context, so all their work is ordered on one
// stream without host synchronisation.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <memory>

#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/library_handles.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {

/// The per-node GPU context. Create with make(); its objects belong to
/// `device()`, so callers make that device current (device_guard) first.
class device_context {
 public:
  /// Builds the context on `device` (made current while building).
  static std::shared_ptr<device_context> make(int device);

  device_context(const device_context&) = delete;
  device_context& operator=(const device_context&) = delete;

  [[nodiscard]] int device() const { return device_; }
  [[nodiscard]] cudaStream_t stream() const { return stream_.get(); }
  [[nodiscard]] cublasHandle_t cublas() const { return cublas_.get(); }
  [[nodiscard]] cudnnHandle_t cudnn() const { return cudnn_.get(); }

  /// Blocks until the stream is idle.
  void synchronize() const { stream_.synchronize(); }

 private:
  explicit device_context(int device);

  int device_;
  cuda::stream stream_;
  cublas_handle cublas_;
  cudnn_handle cudnn_;
  /// cuBLAS gets its own workspace so that its calls can be captured in a
  /// CUDA graph (no allocation inside a capture).
  device_array<std::byte> cublas_workspace_;
};

}  // namespace sgp::gpu::cuda
