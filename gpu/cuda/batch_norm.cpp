// batch_norm: cuDNN spatial batch norm. Training normalises with the batch
// statistics and updates the running mean and unbiased running variance
// with factor 0.1 in the same call (as PyTorch, which calls the same cuDNN
// routine); inference uses the running statistics.
#include <algorithm>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/layers.hpp"
#include "gpu/cuda/library_handles.hpp"

namespace sgp::gpu::cuda {
namespace {

constexpr float one = 1.0f;
constexpr float zero = 0.0f;
constexpr double epsilon = 1e-5;
constexpr double momentum = 0.1;
constexpr cudnnBatchNormMode_t mode = CUDNN_BATCHNORM_SPATIAL;

class batch_norm_stage : public layer_stage {
 public:
  batch_norm_stage(const stage_config& cfg, int channels, std::size_t scale_offset,
                   std::size_t shift_offset, float* state)
      : channels_(channels),
        scale_offset_(scale_offset),
        shift_offset_(shift_offset),
        state_(state),
        training_(cfg.training),
        x_(make_nchw(cfg.src.n, cfg.src.c, cfg.src.h, cfg.src.w)),
        dst_(cfg.src.elements()) {
    SGP_CUDA_CHECK(cudnnDeriveBNTensorDescriptor(param_.get(), x_.get(), mode));
    if (!training_) return;
    save_mean_ = device_array<float>(static_cast<std::size_t>(channels));
    save_inv_var_ = device_array<float>(static_cast<std::size_t>(channels));
    // cuDNN's backward always writes dx.
    diff_src_ = device_array<float>(cfg.src.elements());
    has_diff_src_ = cfg.need_diff_src;
  }

  [[nodiscard]] const float* dst() const override { return dst_.data(); }

  void forward(const run_context& ctx, const float* src) override {
    src_ = src;
    const float* scale = ctx.params + scale_offset_;
    const float* shift = ctx.params + shift_offset_;
    float* mean = state_;
    float* var = state_ + channels_;
    if (!training_) {
      SGP_CUDA_CHECK(cudnnBatchNormalizationForwardInference(
          ctx.cudnn, mode, &one, &zero, x_.get(), src, x_.get(), dst_.data(), param_.get(), scale,
          shift, mean, var, epsilon));
      return;
    }
    SGP_CUDA_CHECK(cudnnBatchNormalizationForwardTraining(
        ctx.cudnn, mode, &one, &zero, x_.get(), src, x_.get(), dst_.data(), param_.get(), scale,
        shift, momentum, mean, var, epsilon, save_mean_.data(), save_inv_var_.data()));
  }

  const float* backward(const run_context& ctx, const float* diff_dst) override {
    SGP_CUDA_CHECK(cudnnBatchNormalizationBackward(
        ctx.cudnn, mode, &one, &zero, &one, &zero, x_.get(), src_, x_.get(), diff_dst, x_.get(),
        diff_src_.data(), param_.get(), ctx.params + scale_offset_, ctx.grads + scale_offset_,
        ctx.grads + shift_offset_, epsilon, save_mean_.data(), save_inv_var_.data()));
    return has_diff_src_ ? diff_src_.data() : nullptr;
  }

 private:
  int channels_;
  std::size_t scale_offset_;
  std::size_t shift_offset_;
  float* state_;
  bool training_;
  bool has_diff_src_ = false;
  tensor_descriptor x_;
  tensor_descriptor param_;
  device_array<float> dst_;
  device_array<float> save_mean_;
  device_array<float> save_inv_var_;
  device_array<float> diff_src_;
  const float* src_ = nullptr;
};

class batch_norm : public layer {
 public:
  batch_norm(std::string name, int channels) : layer(std::move(name)), channels_(channels) {}

  [[nodiscard]] tensor_shape output_shape(const tensor_shape& src) const override {
    return src.c == channels_ ? src : tensor_shape{};
  }

  [[nodiscard]] std::vector<param_request> param_requests() const override {
    const auto c = static_cast<std::size_t>(channels_);
    return {{"weight", param_kind::bn_scale, c, c}, {"bias", param_kind::bn_shift, c, c}};
  }

  void bind_params(std::span<const std::size_t> offsets) override {
    SGP_ASSERT(offsets.size() == 2);
    scale_offset_ = offsets[0];
    shift_offset_ = offsets[1];
  }

  [[nodiscard]] std::size_t state_size() const override {
    return 2 * static_cast<std::size_t>(channels_);
  }
  void bind_state(float* device_state) override { state_ = device_state; }
  void initial_state(std::span<float> host) const override {
    SGP_ASSERT(host.size() == state_size());
    std::fill_n(host.begin(), channels_, 0.0f);
    std::fill(host.begin() + channels_, host.end(), 1.0f);
  }

  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override {
    SGP_ASSERT(state_ != nullptr);
    return std::make_unique<batch_norm_stage>(cfg, channels_, scale_offset_, shift_offset_, state_);
  }

 private:
  int channels_;
  std::size_t scale_offset_ = 0;
  std::size_t shift_offset_ = 0;
  float* state_ = nullptr;
};

}  // namespace

std::unique_ptr<layer> make_batch_norm(std::string name, int channels) {
  return std::make_unique<batch_norm>(std::move(name), channels);
}

}  // namespace sgp::gpu::cuda
