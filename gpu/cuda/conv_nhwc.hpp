// A bias-free convolution on channels-last (NHWC) tensors of fp32 or bf16
// through cuDNN, with KRSC ([out, kh, kw, in]) filters. bf16 runs on tensor
// cores with fp32 accumulation; fp32 is restricted to FMA math (no TF32) so
// it can serve as the reference. bf16 runs the fastest engine configuration
// of cuDNN's graph API, timed once per distinct problem
// (gpu/cuda/cudnn_conv_plan.hpp); fp32 the fastest of cudnnFind*'s
// algorithms. Both choices are shared through a conv_algo_cache.
#pragma once

#include <cudnn.h>

#include <array>
#include <cstddef>
#include <map>
#include <memory>

#include "gpu/cuda/act_dtype.hpp"
#include "gpu/cuda/cudnn_conv_plan.hpp"
#include "gpu/cuda/layer.hpp"
#include "gpu/cuda/library_handles.hpp"

namespace sgp::gpu::cuda {

/// Square kernel, symmetric zero padding.
struct conv_geometry_nhwc {
  int in, out, kernel, stride, padding;
  /// Output shape for `src` (invalid when it does not fit).
  [[nodiscard]] tensor_shape output_shape(const tensor_shape& src) const;
  [[nodiscard]] std::size_t weight_elements() const {
    return static_cast<std::size_t>(out) * kernel * kernel * in;
  }
};

/// What a convolution's backward pass does with its input gradient.
enum class dx_mode {
  none,        ///< not computed (the network's first layer)
  overwrite,   ///< dx = d loss / d x
  accumulate,  ///< dx += d loss / d x (a residual block's shortcut is already there)
};

/// What was chosen for each direction of one problem. fp32: cudnnFind*'s
/// algorithm and its workspace, -1 where not searched yet. bf16: graph-API
/// plans, null where not searched yet (backward data: overwrite, accumulate).
struct conv_choice {
  std::shared_ptr<const conv_plan> forward_plan, backward_filter_plan;
  std::array<std::shared_ptr<const conv_plan>, 2> backward_data_plan;
  int forward = -1, backward_filter = -1, backward_data = -1;
  std::size_t forward_bytes = 0, backward_filter_bytes = 0, backward_data_bytes = 0;
};

/// Choices by problem (batch, shape, geometry, type), so that the repeated
/// blocks of a ResNet are searched once.
class conv_algo_cache {
 public:
  using key = std::array<int, 9>;
  conv_choice& at(const key& k) { return choices_[k]; }

 private:
  std::map<key, conv_choice> choices_;
};

/// One convolution for one batch size and mode.
class conv_nhwc {
 public:
  /// Searches the algorithms it needs (forward; backward filter when
  /// training; backward data when training and `dx` is not none) unless
  /// `cache` has them.
  conv_nhwc(cudnnHandle_t cudnn, act_dtype t, const tensor_shape& src, const conv_geometry_nhwc& g,
            bool training, dx_mode dx, conv_algo_cache& cache);

  [[nodiscard]] const tensor_shape& dst_shape() const { return dst_; }
  /// Largest workspace of the chosen algorithms.
  [[nodiscard]] std::size_t workspace_bytes() const { return workspace_; }

  /// y = conv(x, w).
  void forward(const run_context& ctx, const void* x, const void* w, void* y) const;
  /// dw = d loss / d w (overwritten).
  void backward_filter(const run_context& ctx, const void* x, const void* dy, void* dw) const;
  /// dx = d loss / d x, or dx += d loss / d x, as the dx_mode says.
  void backward_data(const run_context& ctx, const void* w, const void* dy, void* dx) const;

 private:
  tensor_shape dst_;
  tensor_descriptor x_;
  tensor_descriptor y_;
  filter_descriptor w_;
  /// One descriptor per direction, each with its algorithm's math type.
  convolution_descriptor fwd_, bwd_filter_, bwd_data_;
  void choose_plans(cudnnHandle_t cudnn, const tensor_shape& src, const conv_geometry_nhwc& g,
                    bool training, conv_choice& c);
  void choose_algorithms(cudnnHandle_t cudnn, const conv_geometry_nhwc& g, bool training,
                         conv_choice& c);

  conv_choice choice_;
  dx_mode dx_ = dx_mode::none;
  /// bf16: the graph-API plans (null for fp32 and for what is not needed).
  std::shared_ptr<const conv_plan> forward_plan_, filter_plan_, data_plan_;
  std::size_t workspace_ = 0;
};

}  // namespace sgp::gpu::cuda
