// Flatten {n, c, h, w} to {n, c*h*w} in PyTorch's (plain NCHW) order.
#pragma once

#include "gpu/cpu/layer.hpp"

namespace sgp::gpu::cpu {

/// Reinterprets plain NCHW input as rows; blocked input is reordered first.
class flatten : public layer {
 public:
  using layer::layer;

  [[nodiscard]] dnnl::memory::dims output_dims(const dnnl::memory::dims& src) const override;
  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override;
};

}  // namespace sgp::gpu::cpu
