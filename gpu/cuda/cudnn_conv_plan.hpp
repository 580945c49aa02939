// One direction of a channels-last bf16 convolution through cuDNN's graph
// (backend) API: an operation graph of one convolution, the engine
// configurations cuDNN's heuristics rank first, each timed on the device, and
// the fastest kept as an execution plan. The legacy cudnnFind* API reaches
// only the engines behind its eight algorithm numbers; the graph API offers
// every engine cuDNN 9 has (the ones PyTorch's cuDNN frontend times), which
// matters most for odd shapes such as a ResNet's 3-channel stem.
#pragma once

#include <cudnn.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "gpu/cuda/act_dtype.hpp"
#include "gpu/cuda/layer.hpp"

namespace sgp::gpu::cuda {

/// Owns one cudnnBackendDescriptor_t.
class backend_descriptor {
 public:
  explicit backend_descriptor(cudnnBackendDescriptorType_t type);
  backend_descriptor(const backend_descriptor&) = delete;
  backend_descriptor& operator=(const backend_descriptor&) = delete;
  ~backend_descriptor();
  [[nodiscard]] cudnnBackendDescriptor_t get() const { return d_; }

 private:
  cudnnBackendDescriptor_t d_ = nullptr;
};

enum class conv_direction { forward, backward_filter, backward_data };

/// A convolution problem: NHWC x [n, c, h, w] and y, KRSC filter, square
/// kernel, symmetric padding; `beta` scales what the output already holds
/// (1 accumulates into it).
struct conv_problem {
  conv_direction direction = conv_direction::forward;
  tensor_shape x, y;
  int kernel = 1, stride = 1, padding = 0;
  float beta = 0.0f;
};

/// The chosen engine configuration as an execution plan.
class conv_plan {
 public:
  /// Times up to `max_candidates` of the heuristics' configurations (engines
  /// that compile at run time are left out: seconds each) on the handle's
  /// stream with scratch tensors, and keeps the fastest; with reproducible
  /// convolutions (gpu/cuda/cudnn_find.hpp), keeps the first deterministic
  /// one that runs instead. Searches run one at a time in the process.
  /// Fails, naming the problem, when no configuration runs.
  static std::shared_ptr<const conv_plan> tune(cudnnHandle_t cudnn, const conv_problem& p,
                                               int max_candidates = 16);

  [[nodiscard]] std::size_t workspace_bytes() const { return workspace_; }
  /// The engine's global index and its time in the search, for logs.
  [[nodiscard]] const std::string& description() const { return description_; }

  /// Runs the plan on the handle's stream. Operands in the problem's order:
  /// forward (x, w, y), backward filter (x, dy, dw), backward data (w, dy, dx).
  void execute(cudnnHandle_t cudnn, const void* a, const void* b, void* out, void* workspace) const;

 private:
  conv_plan() = default;
  conv_direction direction_ = conv_direction::forward;
  /// The operation graph's descriptors, which the plan refers to.
  std::shared_ptr<const void> graph_;
  std::shared_ptr<backend_descriptor> config_;
  std::shared_ptr<backend_descriptor> plan_;
  std::size_t workspace_ = 0;
  std::string description_;
};

}  // namespace sgp::gpu::cuda
