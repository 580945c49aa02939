// resnet: the body layer (units, parameter layout, state) and its stage
// (stem, blocks, pooling, the bf16 weight cast and the gradient cast back).
#include "gpu/cuda/resnet.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/assert.hpp"
#include "gpu/cuda/bf16_cast.hpp"
#include "gpu/cuda/im2col_conv.hpp"
#include "gpu/cuda/nhwc_kernels.hpp"
#include "gpu/cuda/resnet_block.hpp"

namespace sgp::gpu::cuda {
namespace {

using bytes = device_array<std::byte>;

bytes activation(act_dtype t, std::size_t elements) {
  return bytes(elements * dtype_bytes(t));
}

/// The 3x3/2 max pool after the stem.
pool_geometry stem_pool(const tensor_shape& s) {
  const int oh = (s.h + 2 - 3) / 2 + 1;
  const int ow = (s.w + 2 - 3) / 2 + 1;
  return {s.n, s.h, s.w, s.c, 3, 2, 1, oh, ow};
}

class resnet_stage : public layer_stage {
 public:
  resnet_stage(const stage_config& cfg, act_dtype t, std::span<const conv_bn_unit> units,
               std::span<const block_spec> blocks, std::size_t first_offset,
               std::size_t conv_elements, int features)
      : t_(t),
        training_(cfg.training),
        src_(cfg.src),
        first_offset_(first_offset),
        conv_elements_(conv_elements),
        stem_unit_(units[0]),
        dst_(static_cast<std::size_t>(cfg.src.n) * features) {
    SGP_ASSERT(!cfg.need_diff_src);
    // bf16 with fewer input channels than a 16-byte vector: explicit GEMMs
    // (gpu/cuda/im2col_conv.hpp). Otherwise cuDNN.
    if (t == act_dtype::bf16 && cfg.src.c % 8 != 0) {
      stem_gemm_.emplace(cfg.src, units[0].geometry, cfg.training);
    } else {
      stem_conv_.emplace(cfg.cudnn, t, cfg.src, units[0].geometry, cfg.training, dx_mode::none,
                         cache_);
    }
    x0_ = activation(t, cfg.src.elements());
    const tensor_shape stem = stem_gemm_ ? stem_gemm_->dst_shape() : stem_conv_->dst_shape();
    stem_bn_.emplace_back(t, units[0].bn, static_cast<long long>(stem.n) * stem.h * stem.w,
                          cfg.training);
    pool_ = stem_pool(stem);
    const tensor_shape pooled{stem.n, stem.c, pool_.out_h, pool_.out_w};
    stem_out_ = activation(t, stem.elements());
    stem_y_ = activation(t, stem.elements());
    pooled_ = activation(t, pooled.elements());
    argmax_ = device_array<std::uint8_t>(pooled.elements());
    workspace_ = stem_conv_ ? stem_conv_->workspace_bytes() : 0;
    std::size_t partial = stem_bn_[0].partial_floats();
    std::size_t max_elements = stem.elements();
    int max_channels = stem.c;
    tensor_shape shape = pooled;
    for (const auto& b : blocks) {
      blocks_.push_back(std::make_unique<residual_block_stage>(
          cfg.cudnn, t, shape, b, units.subspan(b.first_unit, b.units), cfg.training, cache_));
      const auto& s = *blocks_.back();
      shape = s.dst_shape();
      workspace_ = std::max(workspace_, s.workspace_bytes());
      partial = std::max(partial, s.partial_floats());
      max_elements = std::max(max_elements, s.max_elements());
      max_channels = std::max(max_channels, shape.c);
    }
    SGP_ASSERT(shape.c == features);
    last_ = shape;
    partial_ = device_array<float>(partial);
    if (t_ == act_dtype::bf16) weights_ = device_array<std::uint16_t>(conv_elements_);
    if (!training_) return;
    coef_ = device_array<float>(3 * static_cast<std::size_t>(max_channels));
    for (auto& b : scratch_) b = activation(t, max_elements);
    if (t_ == act_dtype::bf16) weight_grads_ = device_array<std::uint16_t>(conv_elements_);
  }

  [[nodiscard]] const float* dst() const override { return dst_.data(); }
  [[nodiscard]] std::size_t workspace_bytes() const override { return workspace_; }

  void forward(const run_context& ctx, const float* src) override {
    if (t_ == act_dtype::bf16) {
      // The bf16 compute copy of every conv weight, made from the fp32
      // master weights in one pass (they are contiguous).
      launch_float_to_bf16(ctx.params + first_offset_, weights_.data(), conv_elements_, ctx.stream);
    }
    const weight_view wv = view(ctx);
    const bn_scratch bs = bn_scratch_view();
    launch_nchw_to_nhwc(t_, src, src_.n, src_.c, src_.h, src_.w, x0_.data(), ctx.stream);
    if (stem_gemm_) {
      stem_gemm_->forward(ctx, x0_.data(), wv.w(stem_unit_), stem_out_.data());
    } else {
      stem_conv_->forward(ctx, x0_.data(), wv.w(stem_unit_), stem_out_.data());
    }
    stem_bn_[0].forward(ctx, bs, stem_out_.data(), nullptr, true, stem_y_.data());
    launch_max_pool_forward(t_, stem_y_.data(), pool_, pooled_.data(), argmax_.data(), ctx.stream);
    const void* cur = pooled_.data();
    for (auto& b : blocks_) {
      b->forward(ctx, wv, bs, cur);
      cur = b->dst();
    }
    launch_global_avg_pool_forward(t_, cur, last_.n, last_.h * last_.w, last_.c, dst_.data(),
                                   ctx.stream);
  }

  const float* backward(const run_context& ctx, const float* diff_dst) override {
    SGP_ASSERT(training_);
    const weight_view wv = view(ctx);
    const block_scratch s{scratch_[2].data(), scratch_[3].data(), scratch_[4].data(),
                          bn_scratch_view()};
    launch_global_avg_pool_backward(t_, diff_dst, last_.n, last_.h * last_.w, last_.c,
                                    scratch_[0].data(), ctx.stream);
    int k = 0;
    for (std::size_t i = blocks_.size(); i-- > 0;) {
      blocks_[i]->backward(ctx, wv, s, scratch_[k].data(), scratch_[1 - k].data());
      k = 1 - k;
    }
    launch_max_pool_backward(t_, scratch_[k].data(), argmax_.data(), pool_, s.s3, ctx.stream);
    stem_bn_[0].backward(ctx, s.bn, stem_out_.data(), stem_y_.data(), s.s3, s.s1, nullptr);
    if (stem_gemm_) {
      stem_gemm_->backward_filter(ctx, s.s1, wv.dw(stem_unit_));
    } else {
      stem_conv_->backward_filter(ctx, x0_.data(), s.s1, wv.dw(stem_unit_));
    }
    if (t_ == act_dtype::bf16) {
      launch_bf16_to_float(weight_grads_.data(), ctx.grads + first_offset_, conv_elements_,
                           ctx.stream);
    }
    return nullptr;
  }

 private:
  [[nodiscard]] weight_view view(const run_context& ctx) {
    weight_view wv;
    wv.t = t_;
    wv.first_offset = first_offset_;
    if (t_ == act_dtype::bf16) {
      wv.weights = reinterpret_cast<const std::byte*>(weights_.data());
      wv.grads = reinterpret_cast<std::byte*>(weight_grads_.data());
    } else {
      wv.weights = reinterpret_cast<const std::byte*>(ctx.params + first_offset_);
      wv.grads =
          ctx.grads == nullptr ? nullptr : reinterpret_cast<std::byte*>(ctx.grads + first_offset_);
    }
    return wv;
  }

  [[nodiscard]] bn_scratch bn_scratch_view() { return {partial_.data(), coef_.data()}; }

  act_dtype t_;
  bool training_;
  tensor_shape src_;
  std::size_t first_offset_;
  std::size_t conv_elements_;
  conv_bn_unit stem_unit_;
  conv_algo_cache cache_;
  /// The stem: explicit GEMMs or cuDNN (one of the two).
  std::optional<im2col_conv> stem_gemm_;
  std::optional<conv_nhwc> stem_conv_;
  std::vector<bn_nhwc> stem_bn_;  ///< one element (bn_nhwc is built after the conv)
  pool_geometry pool_{};
  tensor_shape last_;
  bytes x0_, stem_out_, stem_y_, pooled_;
  device_array<std::uint8_t> argmax_;
  std::vector<std::unique_ptr<residual_block_stage>> blocks_;
  device_array<float> dst_;
  device_array<float> partial_;
  device_array<float> coef_;
  /// Backward scratch: two ping-pong block gradients, then s1, s2, s3.
  bytes scratch_[5];
  device_array<std::uint16_t> weights_;
  device_array<std::uint16_t> weight_grads_;
  std::size_t workspace_ = 0;
};

class resnet_body : public layer {
 public:
  resnet_body(std::string name, int depth, int in_channels, act_dtype t)
      : layer(std::move(name)), t_(t), in_channels_(in_channels) {
    SGP_ASSERT(depth == 18 || depth == 50);
    const bool bottleneck = depth == 50;
    const int counts[4] = {bottleneck ? 3 : 2, bottleneck ? 4 : 2, bottleneck ? 6 : 2,
                           bottleneck ? 3 : 2};
    const int expansion = bottleneck ? 4 : 1;
    add_unit("conv1", "bn1", {in_channels, 64, 7, 2, 3}, false);
    int in = 64;
    for (int si = 0; si < 4; ++si) {
      const int width = 64 << si;
      const int out = width * expansion;
      for (int bi = 0; bi < counts[si]; ++bi) {
        const int stride = si > 0 && bi == 0 ? 2 : 1;
        const std::string p = "layer" + std::to_string(si + 1) + "." + std::to_string(bi) + ".";
        block_spec b{bottleneck, stride != 1 || in != out, units_.size(), 0};
        if (bottleneck) {
          add_unit(p + "conv1", p + "bn1", {in, width, 1, 1, 0}, false);
          add_unit(p + "conv2", p + "bn2", {width, width, 3, stride, 1}, false);
          add_unit(p + "conv3", p + "bn3", {width, out, 1, 1, 0}, true);
        } else {
          add_unit(p + "conv1", p + "bn1", {in, width, 3, stride, 1}, false);
          add_unit(p + "conv2", p + "bn2", {width, out, 3, 1, 1}, true);
        }
        if (b.projection) {
          add_unit(p + "downsample.0", p + "downsample.1", {in, out, 1, stride, 0}, false);
        }
        b.units = units_.size() - b.first_unit;
        blocks_.push_back(b);
        in = out;
      }
    }
    features_ = in;
  }

  [[nodiscard]] tensor_shape output_shape(const tensor_shape& src) const override {
    if (src.c != in_channels_ || src.h < 1 || src.w < 1) return {};
    return {src.n, features_, 1, 1};
  }

  [[nodiscard]] std::vector<param_request> param_requests() const override {
    std::vector<param_request> r;
    for (const auto& u : units_) {
      const auto& g = u.geometry;
      r.push_back({u.conv_name + ".weight", param_kind::weight, g.weight_elements(),
                   static_cast<std::size_t>(g.in) * g.kernel * g.kernel});
    }
    for (const auto& u : units_) {
      const auto c = static_cast<std::size_t>(u.geometry.out);
      r.push_back({u.bn_name + ".weight", param_kind::bn_scale, c, c});
      r.push_back({u.bn_name + ".bias", param_kind::bn_shift, c, c});
    }
    return r;
  }

  void bind_params(std::span<const std::size_t> offsets) override {
    SGP_ASSERT(offsets.size() == 3 * units_.size());
    first_offset_ = offsets[0];
    conv_elements_ = 0;
    for (std::size_t i = 0; i < units_.size(); ++i) {
      // The flat cast needs the conv weights back to back.
      SGP_ASSERT(offsets[i] == first_offset_ + conv_elements_);
      units_[i].weight_offset = offsets[i];
      conv_elements_ += units_[i].geometry.weight_elements();
      units_[i].bn.channels = units_[i].geometry.out;
      units_[i].bn.scale_offset = offsets[units_.size() + 2 * i];
      units_[i].bn.shift_offset = offsets[units_.size() + 2 * i + 1];
    }
  }

  [[nodiscard]] std::size_t state_size() const override {
    std::size_t n = 0;
    for (const auto& u : units_) n += 2 * static_cast<std::size_t>(u.geometry.out);
    return n;
  }

  void bind_state(float* device_state) override {
    for (auto& u : units_) {
      u.bn.state = device_state;
      device_state += 2 * static_cast<std::size_t>(u.geometry.out);
    }
  }

  void initial_state(std::span<float> host) const override {
    SGP_ASSERT(host.size() == state_size());
    std::size_t at = 0;
    for (const auto& u : units_) {
      const auto c = static_cast<std::size_t>(u.geometry.out);
      std::fill_n(host.begin() + static_cast<std::ptrdiff_t>(at), c, 0.0f);
      std::fill_n(host.begin() + static_cast<std::ptrdiff_t>(at + c), c, 1.0f);
      at += 2 * c;
    }
  }

  void adjust_initial_params(std::span<float> params) const override {
    for (const auto& u : units_) {
      if (!u.zero_init_scale) continue;
      SGP_ASSERT(u.bn.scale_offset + u.bn.channels <= params.size());
      std::fill_n(params.begin() + static_cast<std::ptrdiff_t>(u.bn.scale_offset), u.bn.channels,
                  0.0f);
    }
  }

  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override {
    SGP_ASSERT(units_[0].bn.state != nullptr);
    return std::make_unique<resnet_stage>(cfg, t_, units_, blocks_, first_offset_, conv_elements_,
                                          features_);
  }

 private:
  void add_unit(std::string conv, std::string bn, conv_geometry_nhwc g, bool zero_init) {
    conv_bn_unit u;
    u.conv_name = std::move(conv);
    u.bn_name = std::move(bn);
    u.geometry = g;
    u.zero_init_scale = zero_init;
    units_.push_back(std::move(u));
  }

  act_dtype t_;
  int in_channels_;
  int features_ = 0;
  std::vector<conv_bn_unit> units_;
  std::vector<block_spec> blocks_;
  std::size_t first_offset_ = 0;
  std::size_t conv_elements_ = 0;
};

}  // namespace

int resnet_features(int depth) {
  return depth == 50 ? 2048 : 512;
}

std::unique_ptr<layer> make_resnet_body(std::string name, int depth, int in_channels, act_dtype t) {
  return std::make_unique<resnet_body>(std::move(name), depth, in_channels, t);
}

}  // namespace sgp::gpu::cuda
