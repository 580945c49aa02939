// A bf16 convolution of an NHWC input with few channels (a ResNet's
// 3-channel stem) as explicit GEMMs: the input is laid out once as a column
// matrix (one row per output pixel, the filter's KRSC order across, padded
// to 16-byte rows), the forward pass is one cuBLAS GEMM against the padded
// filter, and the weight gradient is one GEMM per image against the kept
// column matrix, summed in a fixed order. cuDNN's engines for 3 input
// channels took 1.76 ms forward and 1.12 ms for the weight gradient of a
// batch-256 ResNet-50 stem on the H200, far from the memory traffic's
// bound; the column matrix costs memory instead (n · out_h · out_w · 152
// bf16: 976 MB at batch 256), kept between forward and backward.
#pragma once

#include <cublas_v2.h>

#include <cstdint>

#include "gpu/cuda/conv_nhwc.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/im2col_kernels.hpp"

namespace sgp::gpu::cuda {

class im2col_conv {
 public:
  /// `src`: the input's shape; `training`: keeps what the weight gradient
  /// needs.
  im2col_conv(const tensor_shape& src, const conv_geometry_nhwc& g, bool training);

  [[nodiscard]] const tensor_shape& dst_shape() const { return dst_; }

  /// y (NHWC bf16) = conv(x, w), x NHWC bf16, w KRSC bf16.
  void forward(const run_context& ctx, const void* x, const void* w, void* y);
  /// dw (KRSC bf16, overwritten) = d loss / d w from dy (NHWC bf16) and the
  /// last forward's input.
  void backward_filter(const run_context& ctx, const void* dy, void* dw);

 private:
  im2col_geometry g_{};
  int out_ = 0;
  tensor_shape dst_;
  device_array<std::uint16_t> col_;
  device_array<std::uint16_t> w_padded_;
  device_array<float> partial_;  ///< per image [out, ldk]
};

}  // namespace sgp::gpu::cuda
