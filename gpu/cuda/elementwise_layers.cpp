// relu and flatten: the layers without parameters or library calls.
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/layer_kernels.hpp"
#include "gpu/cuda/layers.hpp"

namespace sgp::gpu::cuda {
namespace {

class relu_stage : public layer_stage {
 public:
  explicit relu_stage(const stage_config& cfg)
      : n_(static_cast<long long>(cfg.src.elements())), dst_(cfg.src.elements()) {
    if (cfg.training && cfg.need_diff_src) diff_src_ = device_array<float>(cfg.src.elements());
  }

  [[nodiscard]] const float* dst() const override { return dst_.data(); }

  void forward(const run_context& ctx, const float* src) override {
    launch_relu_forward(src, dst_.data(), n_, ctx.stream);
  }

  const float* backward(const run_context& ctx, const float* diff_dst) override {
    if (diff_src_.size() == 0) return nullptr;
    launch_relu_backward(dst_.data(), diff_dst, diff_src_.data(), n_, ctx.stream);
    return diff_src_.data();
  }

 private:
  long long n_;
  device_array<float> dst_;
  device_array<float> diff_src_;
};

class relu : public layer {
 public:
  using layer::layer;
  [[nodiscard]] tensor_shape output_shape(const tensor_shape& src) const override { return src; }
  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override {
    return std::make_unique<relu_stage>(cfg);
  }
};

/// Contiguous NCHW is already {n, c*h*w}: pass pointers through.
class flatten_stage : public layer_stage {
 public:
  [[nodiscard]] const float* dst() const override { return src_; }
  void forward(const run_context& ctx, const float* src) override {
    (void)ctx;
    src_ = src;
  }
  const float* backward(const run_context& ctx, const float* diff_dst) override {
    (void)ctx;
    return diff_dst;
  }

 private:
  const float* src_ = nullptr;
};

class flatten : public layer {
 public:
  using layer::layer;
  [[nodiscard]] tensor_shape output_shape(const tensor_shape& src) const override {
    return {src.n, src.c * src.h * src.w, 1, 1};
  }
  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override {
    (void)cfg;
    return std::make_unique<flatten_stage>();
  }
};

}  // namespace

std::unique_ptr<layer> make_relu(std::string name) {
  return std::make_unique<relu>(std::move(name));
}

std::unique_ptr<layer> make_flatten(std::string name) {
  return std::make_unique<flatten>(std::move(name));
}

}  // namespace sgp::gpu::cuda
