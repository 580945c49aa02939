// A sequential network of CUDA layers: lays out the flat parameter vector
// exactly as the CPU backend does, owns the batch-norm state on the device,
// and keeps one plan (stages and workspace) per batch size and mode.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "gpu/backend.hpp"
#include "gpu/cuda/device_context.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/layer.hpp"

namespace sgp::gpu::cuda {

/// Layers in sequence on NCHW fp32 device activations.
class network {
 public:
  /// The layers' shapes must chain (asserted). Builds nothing on the device
  /// but the state buffer; plans are built on first use of a batch size.
  network(std::vector<std::unique_ptr<layer>> layers, sample_shape input);

  [[nodiscard]] const param_layout& layout() const { return layout_; }
  [[nodiscard]] sample_shape input_shape() const { return input_; }
  [[nodiscard]] std::size_t output_features() const;

  /// Batch-norm running statistics on the device (state_size() floats).
  [[nodiscard]] std::size_t state_size() const { return state_.size(); }
  [[nodiscard]] float* device_state() { return state_.data(); }

  /// Writes every layer's initial state (state_size() floats) to `host`.
  void initial_state(std::span<float> host) const;

  /// Applies every layer's adjust_initial_params to `host` (layout().total).
  void adjust_initial_params(std::span<float> host) const;

  /// Builds the plan for batch `n` and mode now (algorithm search, memory),
  /// so that a later forward on the stream can be captured in a graph.
  void prepare(const device_context& dc, int n, bool training);

  /// Forward of `n` NCHW samples at device `input` with device `params`,
  /// queued on dc's stream. Returns the {n, output_features()} output.
  const float* forward(const device_context& dc, const float* params, const float* input, int n,
                       bool training);

  /// Backward after a training forward; overwrites `grads`.
  void backward(const device_context& dc, const float* params, const float* d_output, float* grads);

 private:
  struct plan {
    std::vector<std::unique_ptr<layer_stage>> stages;
    device_array<std::byte> workspace;
  };

  plan& plan_for(const device_context& dc, int n, bool training);

  std::vector<std::unique_ptr<layer>> layers_;
  sample_shape input_;
  param_layout layout_;
  device_array<float> state_;
  std::vector<bool> need_diff_src_;
  std::map<std::pair<int, bool>, plan> plans_;
  plan* last_ = nullptr;
};

}  // namespace sgp::gpu::cuda
