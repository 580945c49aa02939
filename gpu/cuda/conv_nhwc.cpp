// conv_nhwc: descriptors, cached cudnnFind* searches, and the three cuDNN
// convolution calls.
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
                     const conv_geometry_nhwc& g, bool training, bool need_dx,
                     conv_algo_cache& cache)
    : dst_(g.output_shape(src)), x_(make_nhwc(t, src)), y_(make_nhwc(t, dst_)) {
  SGP_ASSERT(dst_.valid());
  SGP_CUDA_CHECK(cudnnSetFilter4dDescriptor(w_.get(), cudnn_type(t), CUDNN_TENSOR_NHWC, g.out, g.in,
                                            g.kernel, g.kernel));
  // bf16: tensor cores, fp32 accumulation. fp32: no TF32 (reference mode).
  const cudnnMathType_t search_math = t == act_dtype::bf16 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
  for (const auto* d : {&fwd_, &bwd_filter_, &bwd_data_}) {
    SGP_CUDA_CHECK(cudnnSetConvolution2dDescriptor(d->get(), g.padding, g.padding, g.stride,
                                                   g.stride, 1, 1, CUDNN_CROSS_CORRELATION,
                                                   CUDNN_DATA_FLOAT));
    SGP_CUDA_CHECK(cudnnSetConvolutionMathType(d->get(), search_math));
  }
  // Runs with the math type the chosen algorithm was measured with, except
  // that fp32 stays on FMA math whatever cuDNN reports.
  auto run_math = [&](cudnnMathType_t measured) {
    return t == act_dtype::bf16 ? measured : CUDNN_FMA_MATH;
  };

  conv_choice& c = cache.at(
      {src.n, src.c, src.h, src.w, g.out, g.kernel, g.stride, g.padding, static_cast<int>(t)});
  if (c.forward < 0) {
    const auto p = find_fastest<max_algos, cudnnConvolutionFwdAlgoPerf_t>(
        [&](cudnnConvolutionFwdAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionForwardAlgorithm(cudnn, x_.get(), w_.get(), fwd_.get(),
                                                      y_.get(), max_algos, returned, perfs);
        },
        "convolution forward (NHWC)");
    c.forward = p.algo;
    c.forward_bytes = p.memory;
    c.forward_math = run_math(p.mathType);
  }
  if (training && c.backward_filter < 0) {
    const auto p = find_fastest<max_algos, cudnnConvolutionBwdFilterAlgoPerf_t>(
        [&](cudnnConvolutionBwdFilterAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionBackwardFilterAlgorithm(
              cudnn, x_.get(), y_.get(), bwd_filter_.get(), w_.get(), max_algos, returned, perfs);
        },
        "convolution backward filter (NHWC)");
    c.backward_filter = p.algo;
    c.backward_filter_bytes = p.memory;
    c.backward_filter_math = run_math(p.mathType);
  }
  if (training && need_dx && c.backward_data < 0) {
    const auto p = find_fastest<max_algos, cudnnConvolutionBwdDataAlgoPerf_t>(
        [&](cudnnConvolutionBwdDataAlgoPerf_t* perfs, int* returned) {
          return cudnnFindConvolutionBackwardDataAlgorithm(
              cudnn, w_.get(), y_.get(), bwd_data_.get(), x_.get(), max_algos, returned, perfs);
        },
        "convolution backward data (NHWC)");
    c.backward_data = p.algo;
    c.backward_data_bytes = p.memory;
    c.backward_data_math = run_math(p.mathType);
  }
  choice_ = c;
  SGP_CUDA_CHECK(cudnnSetConvolutionMathType(fwd_.get(), c.forward_math));
  if (c.backward_filter >= 0) {
    SGP_CUDA_CHECK(cudnnSetConvolutionMathType(bwd_filter_.get(), c.backward_filter_math));
  }
  if (c.backward_data >= 0) {
    SGP_CUDA_CHECK(cudnnSetConvolutionMathType(bwd_data_.get(), c.backward_data_math));
  }
  workspace_ = c.forward_bytes;
  if (training) workspace_ = std::max(workspace_, c.backward_filter_bytes);
  if (training && need_dx) workspace_ = std::max(workspace_, c.backward_data_bytes);
}

void conv_nhwc::forward(const run_context& ctx, const void* x, const void* w, void* y) const {
  SGP_ASSERT(ctx.workspace_bytes >= choice_.forward_bytes);
  SGP_CUDA_CHECK(cudnnConvolutionForward(ctx.cudnn, &one, x_.get(), x, w_.get(), w, fwd_.get(),
                                         static_cast<cudnnConvolutionFwdAlgo_t>(choice_.forward),
                                         ctx.workspace, choice_.forward_bytes, &zero, y_.get(), y));
}

void conv_nhwc::backward_filter(const run_context& ctx, const void* x, const void* dy,
                                void* dw) const {
  SGP_ASSERT(choice_.backward_filter >= 0);
  SGP_CUDA_CHECK(cudnnConvolutionBackwardFilter(
      ctx.cudnn, &one, x_.get(), x, y_.get(), dy, bwd_filter_.get(),
      static_cast<cudnnConvolutionBwdFilterAlgo_t>(choice_.backward_filter), ctx.workspace,
      choice_.backward_filter_bytes, &zero, w_.get(), dw));
}

void conv_nhwc::backward_data(const run_context& ctx, const void* w, const void* dy, void* dx,
                              float beta) const {
  SGP_ASSERT(choice_.backward_data >= 0);
  SGP_CUDA_CHECK(cudnnConvolutionBackwardData(
      ctx.cudnn, &one, w_.get(), w, y_.get(), dy, bwd_data_.get(),
      static_cast<cudnnConvolutionBwdDataAlgo_t>(choice_.backward_data), ctx.workspace,
      choice_.backward_data_bytes, &beta, x_.get(), dx));
}

}  // namespace sgp::gpu::cuda
