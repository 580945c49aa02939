// The CUDA backend's internal layer interface, the twin of gpu/cpu/layer.hpp:
// a network is a list of layers, and each layer builds one stage (cuDNN
// descriptors, chosen algorithms, output and gradient memory) per batch size
// and mode, so nothing is created or allocated inside a training step.
// Activations are fp32 NCHW, contiguous.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gpu/backend.hpp"
#include "gpu/param_layout_builder.hpp"

namespace sgp::gpu::cuda {

/// Activation shape, NCHW; a 2-D {n, features} tensor is {n, features, 1, 1}.
struct tensor_shape {
  int n = 0;
  int c = 0;
  int h = 1;
  int w = 1;
  [[nodiscard]] std::size_t elements() const { return static_cast<std::size_t>(n) * c * h * w; }
  [[nodiscard]] bool valid() const { return n > 0 && c > 0 && h > 0 && w > 0; }
};

using gpu::param_request;

/// Handles and pointers valid for one forward or backward call.
struct run_context {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  cudnnHandle_t cudnn = nullptr;
  const float* params = nullptr;  ///< flat parameters (device)
  float* grads = nullptr;         ///< flat gradients (device, backward only)
  void* workspace = nullptr;      ///< scratch for cuDNN, workspace_bytes() of the largest stage
  std::size_t workspace_bytes = 0;
};

/// What a stage is built for.
struct stage_config {
  cudaStream_t stream = nullptr;  ///< for one-off initialisation work
  cudnnHandle_t cudnn = nullptr;  ///< for algorithm search
  tensor_shape src;
  bool training = false;
  bool need_diff_src = false;  ///< whether backward must produce the input gradient
};

/// One layer's descriptors and memory for one batch size and mode.
class layer_stage {
 public:
  virtual ~layer_stage() = default;

  /// Output of the last forward (fixed address for the stage's lifetime).
  [[nodiscard]] virtual const float* dst() const = 0;

  /// Scratch this stage needs from run_context::workspace.
  [[nodiscard]] virtual std::size_t workspace_bytes() const { return 0; }

  /// Forward on `src` (the previous stage's output; stays valid and
  /// unchanged until backward).
  virtual void forward(const run_context& ctx, const float* src) = 0;

  /// Backward after a training forward: overwrites this layer's parameter
  /// gradients in ctx.grads and returns the input gradient, or nullptr when
  /// built without need_diff_src.
  virtual const float* backward(const run_context& ctx, const float* diff_dst) = 0;
};

/// A layer: its configuration, where its parameters and state live, and a
/// factory for stages.
class layer {
 public:
  explicit layer(std::string name) : name_(std::move(name)) {}
  virtual ~layer() = default;
  layer(const layer&) = delete;
  layer& operator=(const layer&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }

  /// Output shape for an input shape; an invalid shape when it does not fit.
  [[nodiscard]] virtual tensor_shape output_shape(const tensor_shape& src) const = 0;

  /// Parameter tensors this layer owns, in a fixed order.
  [[nodiscard]] virtual std::vector<param_request> param_requests() const { return {}; }

  /// Offsets of the requested tensors in the flat vector, in request order.
  virtual void bind_params(std::span<const std::size_t> offsets) { (void)offsets; }

  /// Floats of non-trainable state (batch-norm running statistics).
  [[nodiscard]] virtual std::size_t state_size() const { return 0; }

  /// Where the state lives on the device (state_size() floats).
  virtual void bind_state(float* device_state) { (void)device_state; }

  /// Writes the initial state (state_size() floats) into host memory.
  virtual void initial_state(std::span<float> host) const { (void)host; }

  /// Changes the freshly drawn initial parameters (the whole flat vector,
  /// host memory) where the layer's recipe differs from the default, e.g.
  /// the zero-initialised last BN scale of each ResNet block.
  virtual void adjust_initial_params(std::span<float> params) const { (void)params; }

  /// Builds the stage for one batch size and mode.
  [[nodiscard]] virtual std::unique_ptr<layer_stage> build(const stage_config& cfg) const = 0;

 private:
  std::string name_;
};

}  // namespace sgp::gpu::cuda
