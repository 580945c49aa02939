// Batch normalisation on oneDNN with PyTorch's semantics: training uses batch
// statistics and updates running mean and (unbiased) variance with momentum
// 0.1; inference uses the running statistics.
#pragma once

#include "gpu/cpu/layer.hpp"

namespace sgp::gpu::cpu {

/// Batch norm over channel 1 of {n, c} or {n, c, h, w} input, with learned
/// scale and shift. State: running mean (c floats) then running variance.
class batch_norm : public layer {
 public:
  static constexpr float epsilon = 1e-5f;
  static constexpr float momentum = 0.1f;

  batch_norm(std::string name, int channels);

  [[nodiscard]] dnnl::memory::dims output_dims(const dnnl::memory::dims& src) const override;
  [[nodiscard]] std::vector<param_request> param_requests() const override;
  void bind_params(std::span<const std::size_t> offsets) override;
  [[nodiscard]] std::size_t state_size() const override {
    return 2 * static_cast<std::size_t>(channels_);
  }
  void bind_state(float* state) override { state_ = state; }
  void reset_state() override;
  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override;

 private:
  int channels_;
  std::size_t scale_offset_ = 0;
  std::size_t shift_offset_ = 0;
  float* state_ = nullptr;
};

}  // namespace sgp::gpu::cpu
