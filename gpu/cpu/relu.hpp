// ReLU on oneDNN's eltwise primitive, in whatever layout its input has.
#pragma once

#include "gpu/cpu/layer.hpp"

namespace sgp::gpu::cpu {

/// max(x, 0), elementwise; any input rank.
class relu : public layer {
 public:
  using layer::layer;

  [[nodiscard]] dnnl::memory::dims output_dims(const dnnl::memory::dims& src) const override {
    return src;
  }
  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override;
};

}  // namespace sgp::gpu::cpu
