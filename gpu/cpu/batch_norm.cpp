// batch_norm: forward (training and inference), backward, running statistics.
#include "gpu/cpu/batch_norm.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace sgp::gpu::cpu {
namespace {

using dnnl::memory;
using flags = dnnl::normalization_flags;

class batch_norm_stage : public layer_stage {
 public:
  batch_norm_stage(const stage_config& cfg, int channels, std::size_t scale_offset,
                   std::size_t shift_offset, float* state)
      : channels_(channels),
        scale_offset_(scale_offset),
        shift_offset_(shift_offset),
        state_(state),
        training_(cfg.training) {
    const auto& eng = *cfg.engine;
    const memory::dims& dims = cfg.src_md.dims();
    reduced_ = 1;
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (i != 1) reduced_ *= dims[i];
    }
    const memory::desc c_md({channels}, memory::data_type::f32, memory::format_tag::a);
    scale_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    shift_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    mean_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    variance_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    const flags affine = flags::use_scale | flags::use_shift;
    if (!cfg.training) {
      const dnnl::batch_normalization_forward::primitive_desc fwd_pd(
          dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_inference, cfg.src_md,
                                                  batch_norm::epsilon,
                                                  affine | flags::use_global_stats),
          eng);
      fwd_ = dnnl::batch_normalization_forward(fwd_pd);
      dst_ = memory(fwd_pd.dst_desc(), eng);
      return;
    }
    const dnnl::batch_normalization_forward::primitive_desc fwd_pd(
        dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, cfg.src_md,
                                                batch_norm::epsilon, affine),
        eng);
    fwd_ = dnnl::batch_normalization_forward(fwd_pd);
    dst_ = memory(fwd_pd.dst_desc(), eng);
    mean_ = memory(fwd_pd.mean_desc(), eng);
    variance_ = memory(fwd_pd.variance_desc(), eng);
    const dnnl::batch_normalization_backward::primitive_desc bwd_pd(
        dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, cfg.src_md, cfg.src_md,
                                                 batch_norm::epsilon, affine),
        eng, fwd_pd);
    SGP_ASSERT(bwd_pd.diff_src_desc() == cfg.src_md);
    bwd_ = dnnl::batch_normalization_backward(bwd_pd);
    diff_scale_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    diff_shift_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    diff_src_ = memory(cfg.src_md, eng);
    has_diff_src_ = cfg.need_diff_src;
  }

  [[nodiscard]] const memory& dst() const override { return dst_; }

  void forward(const run_context& ctx, const memory& src) override {
    src_ = src;
    scale_.set_data_handle(const_cast<float*>(ctx.params + scale_offset_));
    shift_.set_data_handle(const_cast<float*>(ctx.params + shift_offset_));
    if (!training_) {
      mean_.set_data_handle(state_);
      variance_.set_data_handle(state_ + channels_);
    }
    fwd_.execute(*ctx.stream, {{DNNL_ARG_SRC, src_},
                               {DNNL_ARG_DST, dst_},
                               {DNNL_ARG_SCALE, scale_},
                               {DNNL_ARG_SHIFT, shift_},
                               {DNNL_ARG_MEAN, mean_},
                               {DNNL_ARG_VARIANCE, variance_}});
    if (training_) update_running_stats(*ctx.stream);
  }

  const memory* backward(const run_context& ctx, const memory& diff_dst) override {
    // oneDNN 2.6 rejects (invalid_arguments) a use_shift backward without
    // DNNL_ARG_SHIFT, although the shift does not enter the gradients.
    diff_scale_.set_data_handle(ctx.grads + scale_offset_);
    diff_shift_.set_data_handle(ctx.grads + shift_offset_);
    bwd_.execute(*ctx.stream, {{DNNL_ARG_SRC, src_},
                               {DNNL_ARG_DIFF_DST, diff_dst},
                               {DNNL_ARG_MEAN, mean_},
                               {DNNL_ARG_VARIANCE, variance_},
                               {DNNL_ARG_SCALE, scale_},
                               {DNNL_ARG_SHIFT, shift_},
                               {DNNL_ARG_DIFF_SRC, diff_src_},
                               {DNNL_ARG_DIFF_SCALE, diff_scale_},
                               {DNNL_ARG_DIFF_SHIFT, diff_shift_}});
    return has_diff_src_ ? &diff_src_ : nullptr;
  }

 private:
  /// running = (1 - momentum) * running + momentum * batch, where the
  /// variance is made unbiased (oneDNN reports the biased one), as PyTorch.
  void update_running_stats(dnnl::stream& s) {
    s.wait();
    const auto* mean = static_cast<const float*>(mean_.get_data_handle());
    const auto* var = static_cast<const float*>(variance_.get_data_handle());
    const double unbias =
        reduced_ > 1 ? static_cast<double>(reduced_) / static_cast<double>(reduced_ - 1) : 1.0;
    float* running_mean = state_;
    float* running_var = state_ + channels_;
    const float keep = 1.0f - batch_norm::momentum;
    for (int c = 0; c < channels_; ++c) {
      running_mean[c] = keep * running_mean[c] + batch_norm::momentum * mean[c];
      running_var[c] =
          keep * running_var[c] + static_cast<float>(batch_norm::momentum * unbias * var[c]);
    }
  }

  int channels_;
  std::size_t scale_offset_;
  std::size_t shift_offset_;
  float* state_;
  bool training_;
  memory::dim reduced_ = 1;
  dnnl::batch_normalization_forward fwd_;
  dnnl::batch_normalization_backward bwd_;
  memory src_, dst_, scale_, shift_, mean_, variance_, diff_scale_, diff_shift_, diff_src_;
  bool has_diff_src_ = false;
};

}  // namespace

batch_norm::batch_norm(std::string name, int channels)
    : layer(std::move(name)), channels_(channels) {
  SGP_ASSERT(channels_ > 0);
}

memory::dims batch_norm::output_dims(const memory::dims& src) const {
  if ((src.size() != 2 && src.size() != 4) || src[1] != channels_) return {};
  return src;
}

std::vector<param_request> batch_norm::param_requests() const {
  const auto c = static_cast<std::size_t>(channels_);
  return {{"weight", param_kind::bn_scale, c, c}, {"bias", param_kind::bn_shift, c, c}};
}

void batch_norm::bind_params(std::span<const std::size_t> offsets) {
  SGP_ASSERT(offsets.size() == 2);
  scale_offset_ = offsets[0];
  shift_offset_ = offsets[1];
}

void batch_norm::reset_state() {
  SGP_ASSERT(state_ != nullptr);
  std::fill_n(state_, channels_, 0.0f);
  std::fill_n(state_ + channels_, channels_, 1.0f);
}

std::unique_ptr<layer_stage> batch_norm::build(const stage_config& cfg) const {
  SGP_ASSERT(!output_dims(cfg.src_md.dims()).empty());
  SGP_ASSERT(state_ != nullptr);
  return std::make_unique<batch_norm_stage>(cfg, channels_, scale_offset_, shift_offset_, state_);
}

}  // namespace sgp::gpu::cpu
