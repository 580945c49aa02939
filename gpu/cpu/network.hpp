// A sequential network of layers on oneDNN: lays out the flat parameter
// vector, owns the non-trainable state, and keeps one plan (stages built for
// a batch size and mode) per batch size seen, so primitives are created once.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "gpu/backend.hpp"
#include "gpu/cpu/layer.hpp"
#include "gpu/cpu/reorder_step.hpp"

namespace sgp::gpu::cpu {

/// Layers in sequence, with plain NCHW input and plain {n, features} (or
/// NCHW) output on the host.
class network {
 public:
  /// `input_grad`: whether backward computes the gradient of the input (for
  /// tests); models leave it off, so the first parameter layer skips its
  /// backward-data. The layers' shapes must chain (asserted).
  network(std::vector<std::unique_ptr<layer>> layers, sample_shape input, bool input_grad,
          const dnnl::engine& engine);

  [[nodiscard]] const param_layout& layout() const { return layout_; }
  [[nodiscard]] sample_shape input_shape() const { return input_; }

  /// Output dims (batch first) for a batch of `n`.
  [[nodiscard]] dnnl::memory::dims output_dims(int n) const;

  /// Floats per sample of the output.
  [[nodiscard]] std::size_t output_features() const;

  /// Non-trainable state of all layers, flat (batch-norm running stats).
  [[nodiscard]] std::span<float> state() { return state_; }

  /// Puts every layer's state back to its initial value.
  void reset_state();

  /// Forward pass of `n` plain NCHW samples at `input` with the flat
  /// parameters `params`. Returns the plain output (n * output_features()
  /// floats), valid until the next call. `input` and `params` must stay
  /// valid until backward when training.
  std::span<const float> forward(const float* params, const float* input, int n, bool training);

  /// Backward pass after a training forward: `d_output` is d(loss)/d(output)
  /// in the plain layout; overwrites `grads` (layout().total floats). Returns
  /// d(loss)/d(input) (plain) when built with input_grad, else empty.
  std::span<const float> backward(const float* params, const float* d_output, float* grads);

 private:
  /// The stages and boundary memory for one batch size and mode.
  struct plan {
    int batch = 0;
    bool training = false;
    std::vector<std::unique_ptr<layer_stage>> stages;
    dnnl::memory input;
    reorder_step output_out;
    dnnl::memory d_output;
    reorder_step d_output_in;
  };

  plan& plan_for(int n, bool training);

  std::vector<std::unique_ptr<layer>> layers_;
  sample_shape input_;
  bool input_grad_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  param_layout layout_;
  std::vector<float> state_;
  std::vector<bool> need_diff_src_;
  std::map<std::pair<int, bool>, plan> plans_;
  plan* last_ = nullptr;
};

}  // namespace sgp::gpu::cpu
