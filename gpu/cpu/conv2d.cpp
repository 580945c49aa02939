// conv2d: convolution forward, backward-data and backward-weights.
#include "gpu/cpu/conv2d.hpp"

#include "core/assert.hpp"
#include "gpu/cpu/reorder_step.hpp"

namespace sgp::gpu::cpu {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

/// The geometry one stage needs.
struct conv_geometry {
  memory::dims src, weights, bias, dst, strides, padding;
};

class conv2d_stage : public layer_stage {
 public:
  conv2d_stage(const stage_config& cfg, const conv_geometry& g, std::size_t weight_offset,
               std::size_t bias_offset)
      : weight_offset_(weight_offset), bias_offset_(bias_offset) {
    const auto& eng = *cfg.engine;
    const memory::desc src_any(g.src, dt::f32, tag::any);
    const memory::desc w_any(g.weights, dt::f32, tag::any);
    const memory::desc b_md(g.bias, dt::f32, tag::a);
    const memory::desc dst_any(g.dst, dt::f32, tag::any);
    const memory::desc w_plain = plain_md(g.weights);
    const auto alg = dnnl::algorithm::convolution_direct;

    const auto prop =
        cfg.training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    const dnnl::convolution_forward::primitive_desc fwd_pd(
        dnnl::convolution_forward::desc(prop, alg, src_any, w_any, b_md, dst_any, g.strides,
                                        g.padding, g.padding),
        eng);
    fwd_ = dnnl::convolution_forward(fwd_pd);
    src_in_ = reorder_step(eng, cfg.src_md, fwd_pd.src_desc());
    weight_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
    bias_user_ = memory(b_md, eng, DNNL_MEMORY_NONE);
    weight_in_ = reorder_step(eng, w_plain, fwd_pd.weights_desc());
    dst_ = memory(fwd_pd.dst_desc(), eng);
    if (!cfg.training) return;

    const dnnl::convolution_backward_weights::primitive_desc bw_pd(
        dnnl::convolution_backward_weights::desc(alg, src_any, w_any, b_md, dst_any, g.strides,
                                                 g.padding, g.padding),
        eng, fwd_pd);
    bwd_weights_ = dnnl::convolution_backward_weights(bw_pd);
    SGP_ASSERT(bw_pd.diff_bias_desc() == b_md);
    bw_src_ = reorder_step(eng, fwd_pd.src_desc(), bw_pd.src_desc());
    bw_diff_dst_ = reorder_step(eng, fwd_pd.dst_desc(), bw_pd.diff_dst_desc());
    diff_weight_out_ = reorder_step(eng, bw_pd.diff_weights_desc(), w_plain);
    diff_weight_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
    diff_bias_user_ = memory(b_md, eng, DNNL_MEMORY_NONE);
    if (!cfg.need_diff_src) return;

    const dnnl::convolution_backward_data::primitive_desc bd_pd(
        dnnl::convolution_backward_data::desc(alg, src_any, w_any, dst_any, g.strides, g.padding,
                                              g.padding),
        eng, fwd_pd);
    bwd_data_ = dnnl::convolution_backward_data(bd_pd);
    bd_weights_ = reorder_step(eng, fwd_pd.weights_desc(), bd_pd.weights_desc());
    bd_diff_dst_ = reorder_step(eng, fwd_pd.dst_desc(), bd_pd.diff_dst_desc());
    diff_src_out_ = reorder_step(eng, bd_pd.diff_src_desc(), cfg.src_md);
    diff_src_ = memory(cfg.src_md, eng);
    has_diff_src_ = true;
  }

  [[nodiscard]] const memory& dst() const override { return dst_; }

  void forward(const run_context& ctx, const memory& src) override {
    auto& s = *ctx.stream;
    weight_user_.set_data_handle(const_cast<float*>(ctx.params + weight_offset_));
    bias_user_.set_data_handle(const_cast<float*>(ctx.params + bias_offset_));
    src_ = src_in_.to(s, src);
    weight_ = weight_in_.to(s, weight_user_);
    fwd_.execute(s, {{DNNL_ARG_SRC, src_},
                     {DNNL_ARG_WEIGHTS, weight_},
                     {DNNL_ARG_BIAS, bias_user_},
                     {DNNL_ARG_DST, dst_}});
  }

  const memory* backward(const run_context& ctx, const memory& diff_dst) override {
    auto& s = *ctx.stream;
    diff_weight_user_.set_data_handle(ctx.grads + weight_offset_);
    diff_bias_user_.set_data_handle(ctx.grads + bias_offset_);
    const memory& diff_weight = diff_weight_out_.staging(diff_weight_user_);
    bwd_weights_.execute(s, {{DNNL_ARG_SRC, bw_src_.to(s, src_)},
                             {DNNL_ARG_DIFF_DST, bw_diff_dst_.to(s, diff_dst)},
                             {DNNL_ARG_DIFF_WEIGHTS, diff_weight},
                             {DNNL_ARG_DIFF_BIAS, diff_bias_user_}});
    diff_weight_out_.finish(s, diff_weight_user_);
    if (!has_diff_src_) return nullptr;

    const memory& diff_src = diff_src_out_.staging(diff_src_);
    bwd_data_.execute(s, {{DNNL_ARG_DIFF_DST, bd_diff_dst_.to(s, diff_dst)},
                          {DNNL_ARG_WEIGHTS, bd_weights_.to(s, weight_)},
                          {DNNL_ARG_DIFF_SRC, diff_src}});
    diff_src_out_.finish(s, diff_src_);
    return &diff_src_;
  }

 private:
  std::size_t weight_offset_;
  std::size_t bias_offset_;
  dnnl::convolution_forward fwd_;
  dnnl::convolution_backward_weights bwd_weights_;
  dnnl::convolution_backward_data bwd_data_;
  reorder_step src_in_, weight_in_, bw_src_, bw_diff_dst_, diff_weight_out_;
  reorder_step bd_weights_, bd_diff_dst_, diff_src_out_;
  memory weight_user_, bias_user_, diff_weight_user_, diff_bias_user_;
  memory src_, weight_, dst_, diff_src_;
  bool has_diff_src_ = false;
};

}  // namespace

conv2d::conv2d(std::string name, int in_channels, int out_channels, int kernel, int stride,
               int padding)
    : layer(std::move(name)),
      in_(in_channels),
      out_(out_channels),
      kernel_(kernel),
      stride_(stride),
      padding_(padding) {
  SGP_ASSERT(in_ > 0 && out_ > 0 && kernel_ > 0 && stride_ > 0 && padding_ >= 0);
}

memory::dims conv2d::output_dims(const memory::dims& src) const {
  if (src.size() != 4 || src[1] != in_) return {};
  const memory::dim oh = (src[2] + 2 * padding_ - kernel_) / stride_ + 1;
  const memory::dim ow = (src[3] + 2 * padding_ - kernel_) / stride_ + 1;
  if (src[2] + 2 * padding_ < kernel_ || src[3] + 2 * padding_ < kernel_) return {};
  return {src[0], out_, oh, ow};
}

std::vector<param_request> conv2d::param_requests() const {
  const auto fan_in = static_cast<std::size_t>(in_) * kernel_ * kernel_;
  const auto out = static_cast<std::size_t>(out_);
  return {{"weight", param_kind::weight, out * fan_in, fan_in},
          {"bias", param_kind::bias, out, fan_in}};
}

void conv2d::bind_params(std::span<const std::size_t> offsets) {
  SGP_ASSERT(offsets.size() == 2);
  weight_offset_ = offsets[0];
  bias_offset_ = offsets[1];
}

std::unique_ptr<layer_stage> conv2d::build(const stage_config& cfg) const {
  const memory::dims dst = output_dims(cfg.src_md.dims());
  SGP_ASSERT(!dst.empty());
  const conv_geometry g{cfg.src_md.dims(),  {out_, in_, kernel_, kernel_}, {out_}, dst,
                        {stride_, stride_}, {padding_, padding_}};
  return std::make_unique<conv2d_stage>(cfg, g, weight_offset_, bias_offset_);
}

}  // namespace sgp::gpu::cpu
