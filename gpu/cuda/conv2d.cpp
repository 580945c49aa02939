// conv2d: cuDNN convolution forward, backward-data and backward-filter, plus
// bias add and bias gradient. Algorithms are searched once per stage (batch
// size and mode) with cudnnFind*, restricted to FMA math (no TF32) so that
// results track the CPU oracle; the stage reports the largest workspace so
// the network can provide one buffer for all stages.
#include <algorithm>
#include <array>
#include <string>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/cudnn_find.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/layer_kernels.hpp"
#include "gpu/cuda/layers.hpp"
#include "gpu/cuda/library_handles.hpp"

namespace sgp::gpu::cuda {
namespace {

constexpr float one = 1.0f;
constexpr float zero = 0.0f;

struct conv_geometry {
  int in, out, kernel, stride, padding;
};

class conv2d_stage : public layer_stage {
 public:
  conv2d_stage(const stage_config& cfg, const conv_geometry& g, tensor_shape dst_shape,
               std::size_t weight_offset, std::size_t bias_offset)
      : weight_offset_(weight_offset),
        bias_offset_(bias_offset),
        dst_shape_(dst_shape),
        x_(make_nchw(cfg.src.n, cfg.src.c, cfg.src.h, cfg.src.w)),
        y_(make_nchw(dst_shape.n, dst_shape.c, dst_shape.h, dst_shape.w)),
        b_(make_nchw(1, g.out, 1, 1)),
        dst_(dst_shape.elements()) {
    SGP_CUDA_CHECK(cudnnSetFilter4dDescriptor(w_.get(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, g.out,
                                              g.in, g.kernel, g.kernel));
    SGP_CUDA_CHECK(cudnnSetConvolution2dDescriptor(conv_.get(), g.padding, g.padding, g.stride,
                                                   g.stride, 1, 1, CUDNN_CROSS_CORRELATION,
                                                   CUDNN_DATA_FLOAT));
    SGP_CUDA_CHECK(cudnnSetConvolutionMathType(conv_.get(), CUDNN_FMA_MATH));
    const cudnnHandle_t h = cfg.cudnn;
    const auto f = choose_algorithm<16, cudnnConvolutionFwdAlgoPerf_t>(
        [&](cudnnConvolutionFwdAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionForwardAlgorithm(h, x_.get(), w_.get(), conv_.get(), y_.get(),
                                                      16, returned, perfs);
        },
        [&](cudnnConvolutionFwdAlgoPerf_t* perfs, int* returned) {
          return cudnnGetConvolutionForwardAlgorithm_v7(h, x_.get(), w_.get(), conv_.get(),
                                                        y_.get(), 16, returned, perfs);
        },
        "convolution forward");
    fwd_algo_ = f.algo;
    workspace_ = f.memory;
    if (!cfg.training) return;

    const auto bf = choose_algorithm<16, cudnnConvolutionBwdFilterAlgoPerf_t>(
        [&](cudnnConvolutionBwdFilterAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionBackwardFilterAlgorithm(h, x_.get(), y_.get(), conv_.get(),
                                                             w_.get(), 16, returned, perfs);
        },
        [&](cudnnConvolutionBwdFilterAlgoPerf_t* perfs, int* returned) {
          return cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, x_.get(), y_.get(), conv_.get(),
                                                               w_.get(), 16, returned, perfs);
        },
        "convolution backward filter");
    bwd_filter_algo_ = bf.algo;
    workspace_ = std::max(workspace_, bf.memory);
    bias_splits_ = channel_sum_splits(dst_shape.n, dst_shape.c);
    bias_partial_ = device_array<float>(static_cast<std::size_t>(bias_splits_) * dst_shape.c);
    if (!cfg.need_diff_src) return;

    const auto bd = choose_algorithm<16, cudnnConvolutionBwdDataAlgoPerf_t>(
        [&](cudnnConvolutionBwdDataAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionBackwardDataAlgorithm(h, w_.get(), y_.get(), conv_.get(),
                                                           x_.get(), 16, returned, perfs);
        },
        [&](cudnnConvolutionBwdDataAlgoPerf_t* perfs, int* returned) {
          return cudnnGetConvolutionBackwardDataAlgorithm_v7(h, w_.get(), y_.get(), conv_.get(),
                                                             x_.get(), 16, returned, perfs);
        },
        "convolution backward data");
    bwd_data_algo_ = bd.algo;
    workspace_ = std::max(workspace_, bd.memory);
    diff_src_ = device_array<float>(cfg.src.elements());
  }

  [[nodiscard]] const float* dst() const override { return dst_.data(); }
  [[nodiscard]] std::size_t workspace_bytes() const override { return workspace_; }

  void forward(const run_context& ctx, const float* src) override {
    src_ = src;
    SGP_ASSERT(ctx.workspace_bytes >= workspace_);
    SGP_CUDA_CHECK(cudnnConvolutionForward(
        ctx.cudnn, &one, x_.get(), src, w_.get(), ctx.params + weight_offset_, conv_.get(),
        fwd_algo_, ctx.workspace, workspace_, &zero, y_.get(), dst_.data()));
    SGP_CUDA_CHECK(cudnnAddTensor(ctx.cudnn, &one, b_.get(), ctx.params + bias_offset_, &one,
                                  y_.get(), dst_.data()));
  }

  const float* backward(const run_context& ctx, const float* diff_dst) override {
    // Our reduction instead of cudnnConvolutionBackwardBias (see
    // launch_channel_sum for why).
    launch_channel_sum(diff_dst, dst_shape_.n, dst_shape_.c, dst_shape_.h * dst_shape_.w,
                       bias_splits_, bias_partial_.data(), ctx.grads + bias_offset_, ctx.stream);
    SGP_CUDA_CHECK(cudnnConvolutionBackwardFilter(
        ctx.cudnn, &one, x_.get(), src_, y_.get(), diff_dst, conv_.get(), bwd_filter_algo_,
        ctx.workspace, workspace_, &zero, w_.get(), ctx.grads + weight_offset_));
    if (diff_src_.size() == 0) return nullptr;
    SGP_CUDA_CHECK(cudnnConvolutionBackwardData(
        ctx.cudnn, &one, w_.get(), ctx.params + weight_offset_, y_.get(), diff_dst, conv_.get(),
        bwd_data_algo_, ctx.workspace, workspace_, &zero, x_.get(), diff_src_.data()));
    return diff_src_.data();
  }

 private:
  std::size_t weight_offset_;
  std::size_t bias_offset_;
  tensor_shape dst_shape_;
  tensor_descriptor x_;
  tensor_descriptor y_;
  tensor_descriptor b_;
  filter_descriptor w_;
  convolution_descriptor conv_;
  cudnnConvolutionFwdAlgo_t fwd_algo_{};
  cudnnConvolutionBwdFilterAlgo_t bwd_filter_algo_{};
  cudnnConvolutionBwdDataAlgo_t bwd_data_algo_{};
  std::size_t workspace_ = 0;
  int bias_splits_ = 1;
  device_array<float> bias_partial_;
  device_array<float> dst_;
  device_array<float> diff_src_;
  const float* src_ = nullptr;
};

class conv2d : public layer {
 public:
  conv2d(std::string name, const conv_geometry& g) : layer(std::move(name)), g_(g) {}

  [[nodiscard]] tensor_shape output_shape(const tensor_shape& src) const override {
    if (src.c != g_.in) return {};
    const int h = (src.h + 2 * g_.padding - g_.kernel) / g_.stride + 1;
    const int w = (src.w + 2 * g_.padding - g_.kernel) / g_.stride + 1;
    if (h <= 0 || w <= 0) return {};
    return {src.n, g_.out, h, w};
  }

  [[nodiscard]] std::vector<param_request> param_requests() const override {
    const auto fan_in = static_cast<std::size_t>(g_.in) * g_.kernel * g_.kernel;
    const auto out = static_cast<std::size_t>(g_.out);
    return {{"weight", param_kind::weight, out * fan_in, fan_in},
            {"bias", param_kind::bias, out, fan_in}};
  }

  void bind_params(std::span<const std::size_t> offsets) override {
    SGP_ASSERT(offsets.size() == 2);
    weight_offset_ = offsets[0];
    bias_offset_ = offsets[1];
  }

  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override {
    return std::make_unique<conv2d_stage>(cfg, g_, output_shape(cfg.src), weight_offset_,
                                          bias_offset_);
  }

 private:
  conv_geometry g_;
  std::size_t weight_offset_ = 0;
  std::size_t bias_offset_ = 0;
};

}  // namespace

std::unique_ptr<layer> make_conv2d(std::string name, int in_channels, int out_channels, int kernel,
                                   int stride, int padding) {
  return std::make_unique<conv2d>(
      std::move(name), conv_geometry{in_channels, out_channels, kernel, stride, padding});
}

}  // namespace sgp::gpu::cuda
