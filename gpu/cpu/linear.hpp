// Fully connected layer (y = x W^T + b) on oneDNN's inner product; the
// weight is [out, in] as in PyTorch.
#pragma once

#include "gpu/cpu/layer.hpp"

namespace sgp::gpu::cpu {

/// Linear layer on 2-D input {n, in}.
class linear : public layer {
 public:
  linear(std::string name, int in_features, int out_features);

  [[nodiscard]] dnnl::memory::dims output_dims(const dnnl::memory::dims& src) const override;
  [[nodiscard]] std::vector<param_request> param_requests() const override;
  void bind_params(std::span<const std::size_t> offsets) override;
  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override;

 private:
  int in_;
  int out_;
  std::size_t weight_offset_ = 0;
  std::size_t bias_offset_ = 0;
};

}  // namespace sgp::gpu::cpu
