// 2-D convolution with bias on oneDNN; weight [out, in, k, k] as in PyTorch.
// Primitives choose their own (blocked) activation layouts.
#pragma once

#include "gpu/cpu/layer.hpp"

namespace sgp::gpu::cpu {

/// Square-kernel convolution with symmetric zero padding.
class conv2d : public layer {
 public:
  conv2d(std::string name, int in_channels, int out_channels, int kernel, int stride, int padding);

  [[nodiscard]] dnnl::memory::dims output_dims(const dnnl::memory::dims& src) const override;
  [[nodiscard]] std::vector<param_request> param_requests() const override;
  void bind_params(std::span<const std::size_t> offsets) override;
  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override;

 private:
  int in_;
  int out_;
  int kernel_;
  int stride_;
  int padding_;
  std::size_t weight_offset_ = 0;
  std::size_t bias_offset_ = 0;
};

}  // namespace sgp::gpu::cpu
