// Move-only owner of an instantiated CUDA graph, and stream capture into one.
#pragma once

#include <cuda_runtime.h>

#include <utility>

#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {

/// An executable graph captured from a stream.
class graph_exec {
 public:
  graph_exec() = default;
  graph_exec(const graph_exec&) = delete;
  graph_exec& operator=(const graph_exec&) = delete;
  graph_exec(graph_exec&& other) noexcept : exec_(std::exchange(other.exec_, nullptr)) {}
  graph_exec& operator=(graph_exec&& other) noexcept {
    std::swap(exec_, other.exec_);
    return *this;
  }
  ~graph_exec() {
    if (exec_ != nullptr) (void)cudaGraphExecDestroy(exec_);
  }

  [[nodiscard]] bool empty() const { return exec_ == nullptr; }

  /// Captures what `enqueue()` queues on `s` and instantiates it. The work
  /// is recorded, not run. Relaxed mode: cuDNN and cuBLAS may query
  /// attributes while capturing.
  template <class Enqueue>
  static graph_exec capture(cudaStream_t s, Enqueue&& enqueue) {
    SGP_CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed));
    enqueue();
    cudaGraph_t graph = nullptr;
    SGP_CUDA_CHECK(cudaStreamEndCapture(s, &graph));
    graph_exec result;
    SGP_CUDA_CHECK(cudaGraphInstantiate(&result.exec_, graph, 0));
    SGP_CUDA_CHECK(cudaGraphDestroy(graph));
    return result;
  }

  /// Queues the whole graph on `s`.
  void launch(cudaStream_t s) const { SGP_CUDA_CHECK(cudaGraphLaunch(exec_, s)); }

 private:
  cudaGraphExec_t exec_ = nullptr;
};

}  // namespace sgp::gpu::cuda
