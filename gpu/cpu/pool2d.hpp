// Max and average 2-D pooling on oneDNN (max keeps a workspace in training).
#pragma once

#include "gpu/cpu/layer.hpp"

namespace sgp::gpu::cpu {

/// Which pooling.
enum class pool_kind { max, average };

/// Square-window pooling; average counts padded zeros (PyTorch's
/// count_include_pad=True).
class pool2d : public layer {
 public:
  pool2d(std::string name, pool_kind kind, int kernel, int stride, int padding = 0);

  [[nodiscard]] dnnl::memory::dims output_dims(const dnnl::memory::dims& src) const override;
  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override;

 private:
  pool_kind kind_;
  int kernel_;
  int stride_;
  int padding_;
};

}  // namespace sgp::gpu::cpu
