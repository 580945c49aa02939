// pool2d: cuDNN max pooling forward and backward (backward reads the forward
// input and output to route the gradient to each window's maximum).
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/layers.hpp"
#include "gpu/cuda/library_handles.hpp"

namespace sgp::gpu::cuda {
namespace {

constexpr float one = 1.0f;
constexpr float zero = 0.0f;

class pool2d_stage : public layer_stage {
 public:
  pool2d_stage(const stage_config& cfg, tensor_shape dst_shape, int kernel, int stride)
      : x_(make_nchw(cfg.src.n, cfg.src.c, cfg.src.h, cfg.src.w)),
        y_(make_nchw(dst_shape.n, dst_shape.c, dst_shape.h, dst_shape.w)),
        dst_(dst_shape.elements()) {
    SGP_CUDA_CHECK(cudnnSetPooling2dDescriptor(pool_.get(), CUDNN_POOLING_MAX,
                                               CUDNN_NOT_PROPAGATE_NAN, kernel, kernel, 0, 0,
                                               stride, stride));
    if (cfg.training && cfg.need_diff_src) diff_src_ = device_array<float>(cfg.src.elements());
  }

  [[nodiscard]] const float* dst() const override { return dst_.data(); }

  void forward(const run_context& ctx, const float* src) override {
    src_ = src;
    SGP_CUDA_CHECK(cudnnPoolingForward(ctx.cudnn, pool_.get(), &one, x_.get(), src, &zero, y_.get(),
                                       dst_.data()));
  }

  const float* backward(const run_context& ctx, const float* diff_dst) override {
    if (diff_src_.size() == 0) return nullptr;
    SGP_CUDA_CHECK(cudnnPoolingBackward(ctx.cudnn, pool_.get(), &one, y_.get(), dst_.data(),
                                        y_.get(), diff_dst, x_.get(), src_, &zero, x_.get(),
                                        diff_src_.data()));
    return diff_src_.data();
  }

 private:
  tensor_descriptor x_;
  tensor_descriptor y_;
  pooling_descriptor pool_;
  device_array<float> dst_;
  device_array<float> diff_src_;
  const float* src_ = nullptr;
};

class max_pool2d : public layer {
 public:
  max_pool2d(std::string name, int kernel, int stride)
      : layer(std::move(name)), kernel_(kernel), stride_(stride) {}

  [[nodiscard]] tensor_shape output_shape(const tensor_shape& src) const override {
    const int h = (src.h - kernel_) / stride_ + 1;
    const int w = (src.w - kernel_) / stride_ + 1;
    if (src.h < kernel_ || src.w < kernel_) return {};
    return {src.n, src.c, h, w};
  }

  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override {
    return std::make_unique<pool2d_stage>(cfg, output_shape(cfg.src), kernel_, stride_);
  }

 private:
  int kernel_;
  int stride_;
};

}  // namespace

std::unique_ptr<layer> make_max_pool2d(std::string name, int kernel, int stride) {
  return std::make_unique<max_pool2d>(std::move(name), kernel, stride);
}

}  // namespace sgp::gpu::cuda
