// conv_nhwc: the bf16 graph-API plans or the fp32 cudnnFind* algorithms
// (cached per problem), and the three cuDNN convolution calls.
#include "gpu/cuda/conv_nhwc.hpp"

#include <algorithm>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/cudnn_find.hpp"

namespace sgp::gpu::cuda {
namespace {

constexpr float one = 1.0f;
constexpr float zero = 0.0f;
constexpr int max_algos = 16;

tensor_descriptor make_nhwc(act_dtype t, const tensor_shape& s) {
  tensor_descriptor d;
  SGP_CUDA_CHECK(
      cudnnSetTensor4dDescriptor(d.get(), CUDNN_TENSOR_NHWC, cudnn_type(t), s.n, s.c, s.h, s.w));
  return d;
}

}  // namespace

tensor_shape conv_geometry_nhwc::output_shape(const tensor_shape& src) const {
  if (src.c != in) return {};
  const int h = (src.h + 2 * padding - kernel) / stride + 1;
  const int w = (src.w + 2 * padding - kernel) / stride + 1;
  if (src.h + 2 * padding < kernel || src.w + 2 * padding < kernel) return {};
  return {src.n, out, h, w};
}

conv_nhwc::conv_nhwc(cudnnHandle_t cudnn, act_dtype t, const tensor_shape& src,
                     const conv_geometry_nhwc& g, bool training, dx_mode dx, conv_algo_cache& cache)
    : dst_(g.output_shape(src)),
      x_(make_nhwc(t, src)),
      y_(make_nhwc(t, dst_)),
      dx_(training ? dx : dx_mode::none) {
  SGP_ASSERT(dst_.valid());
  conv_choice& c = cache.at(
      {src.n, src.c, src.h, src.w, g.out, g.kernel, g.stride, g.padding, static_cast<int>(t)});
  if (t == act_dtype::bf16) {
    choose_plans(cudnn, src, g, training, c);
  } else {
    choose_algorithms(cudnn, g, training, c);
  }
}

void conv_nhwc::choose_plans(cudnnHandle_t cudnn, const tensor_shape& src,
                             const conv_geometry_nhwc& g, bool training, conv_choice& c) {
  conv_problem p{conv_direction::forward, src, dst_, g.kernel, g.stride, g.padding, 0.0f};
  if (!c.forward_plan) c.forward_plan = conv_plan::tune(cudnn, p);
  forward_plan_ = c.forward_plan;
  workspace_ = forward_plan_->workspace_bytes();
  if (training) {
    p.direction = conv_direction::backward_filter;
    if (!c.backward_filter_plan) c.backward_filter_plan = conv_plan::tune(cudnn, p);
    filter_plan_ = c.backward_filter_plan;
    workspace_ = std::max(workspace_, filter_plan_->workspace_bytes());
  }
  if (dx_ != dx_mode::none) {
    const bool accumulate = dx_ == dx_mode::accumulate;
    p.direction = conv_direction::backward_data;
    p.beta = accumulate ? 1.0f : 0.0f;
    auto& plan = c.backward_data_plan[accumulate ? 1 : 0];
    if (!plan) plan = conv_plan::tune(cudnn, p);
    data_plan_ = plan;
    workspace_ = std::max(workspace_, data_plan_->workspace_bytes());
  }
}

void conv_nhwc::choose_algorithms(cudnnHandle_t cudnn, const conv_geometry_nhwc& g, bool training,
                                  conv_choice& c) {
  SGP_CUDA_CHECK(cudnnSetFilter4dDescriptor(w_.get(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, g.out,
                                            g.in, g.kernel, g.kernel));
  // fp32 is the reference: FMA math, no TF32.
  for (const auto* d : {&fwd_, &bwd_filter_, &bwd_data_}) {
    SGP_CUDA_CHECK(cudnnSetConvolution2dDescriptor(d->get(), g.padding, g.padding, g.stride,
                                                   g.stride, 1, 1, CUDNN_CROSS_CORRELATION,
                                                   CUDNN_DATA_FLOAT));
    SGP_CUDA_CHECK(cudnnSetConvolutionMathType(d->get(), CUDNN_FMA_MATH));
  }
  if (c.forward < 0) {
    const auto p = choose_algorithm<max_algos, cudnnConvolutionFwdAlgoPerf_t>(
        [&](cudnnConvolutionFwdAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionForwardAlgorithm(cudnn, x_.get(), w_.get(), fwd_.get(),
                                                      y_.get(), max_algos, returned, perfs);
        },
        [&](cudnnConvolutionFwdAlgoPerf_t* perfs, int* returned) {
          return cudnnGetConvolutionForwardAlgorithm_v7(cudnn, x_.get(), w_.get(), fwd_.get(),
                                                        y_.get(), max_algos, returned, perfs);
        },
        "convolution forward (NHWC)");
    c.forward = p.algo;
    c.forward_bytes = p.memory;
  }
  if (training && c.backward_filter < 0) {
    const auto p = choose_algorithm<max_algos, cudnnConvolutionBwdFilterAlgoPerf_t>(
        [&](cudnnConvolutionBwdFilterAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionBackwardFilterAlgorithm(
              cudnn, x_.get(), y_.get(), bwd_filter_.get(), w_.get(), max_algos, returned, perfs);
        },
        [&](cudnnConvolutionBwdFilterAlgoPerf_t* perfs, int* returned) {
          return cudnnGetConvolutionBackwardFilterAlgorithm_v7(
              cudnn, x_.get(), y_.get(), bwd_filter_.get(), w_.get(), max_algos, returned, perfs);
        },
        "convolution backward filter (NHWC)");
    c.backward_filter = p.algo;
    c.backward_filter_bytes = p.memory;
  }
  if (dx_ != dx_mode::none && c.backward_data < 0) {
    const auto p = choose_algorithm<max_algos, cudnnConvolutionBwdDataAlgoPerf_t>(
        [&](cudnnConvolutionBwdDataAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionBackwardDataAlgorithm(
              cudnn, w_.get(), y_.get(), bwd_data_.get(), x_.get(), max_algos, returned, perfs);
        },
        [&](cudnnConvolutionBwdDataAlgoPerf_t* perfs, int* returned) {
          return cudnnGetConvolutionBackwardDataAlgorithm_v7(
              cudnn, w_.get(), y_.get(), bwd_data_.get(), x_.get(), max_algos, returned, perfs);
        },
        "convolution backward data (NHWC)");
    c.backward_data = p.algo;
    c.backward_data_bytes = p.memory;
  }
  choice_ = c;
  workspace_ = c.forward_bytes;
  if (training) workspace_ = std::max(workspace_, c.backward_filter_bytes);
  if (dx_ != dx_mode::none) workspace_ = std::max(workspace_, c.backward_data_bytes);
}

void conv_nhwc::forward(const run_context& ctx, const void* x, const void* w, void* y) const {
  if (forward_plan_) {
    SGP_ASSERT(ctx.workspace_bytes >= forward_plan_->workspace_bytes());
    forward_plan_->execute(ctx.cudnn, x, w, y, ctx.workspace);
    return;
  }
  SGP_ASSERT(ctx.workspace_bytes >= choice_.forward_bytes);
  SGP_CUDA_CHECK(cudnnConvolutionForward(ctx.cudnn, &one, x_.get(), x, w_.get(), w, fwd_.get(),
                                         static_cast<cudnnConvolutionFwdAlgo_t>(choice_.forward),
                                         ctx.workspace, choice_.forward_bytes, &zero, y_.get(), y));
}

void conv_nhwc::backward_filter(const run_context& ctx, const void* x, const void* dy,
                                void* dw) const {
  if (filter_plan_) {
    SGP_ASSERT(ctx.workspace_bytes >= filter_plan_->workspace_bytes());
    filter_plan_->execute(ctx.cudnn, x, dy, dw, ctx.workspace);
    return;
  }
  SGP_ASSERT(choice_.backward_filter >= 0);
  SGP_CUDA_CHECK(cudnnConvolutionBackwardFilter(
      ctx.cudnn, &one, x_.get(), x, y_.get(), dy, bwd_filter_.get(),
      static_cast<cudnnConvolutionBwdFilterAlgo_t>(choice_.backward_filter), ctx.workspace,
      choice_.backward_filter_bytes, &zero, w_.get(), dw));
}

void conv_nhwc::backward_data(const run_context& ctx, const void* w, const void* dy,
                              void* dx) const {
  SGP_ASSERT(dx_ != dx_mode::none);
  if (data_plan_) {
    SGP_ASSERT(ctx.workspace_bytes >= data_plan_->workspace_bytes());
    data_plan_->execute(ctx.cudnn, w, dy, dx, ctx.workspace);
    return;
  }
  const float beta = dx_ == dx_mode::accumulate ? 1.0f : 0.0f;
  SGP_ASSERT(choice_.backward_data >= 0);
  SGP_CUDA_CHECK(cudnnConvolutionBackwardData(
      ctx.cudnn, &one, w_.get(), w, y_.get(), dy, bwd_data_.get(),
      static_cast<cudnnConvolutionBwdDataAlgo_t>(choice_.backward_data), ctx.workspace,
      choice_.backward_data_bytes, &beta, x_.get(), dx));
}

}  // namespace sgp::gpu::cuda
