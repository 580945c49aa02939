// conv2d: convolution forward, backward-data and backward-weights.
#include "gpu/cpu/conv2d.hpp"

#include "core/assert.hpp"
#include "gpu/cpu/weighted_stage.hpp"

namespace sgp::gpu::cpu {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

/// The geometry one stage needs.
struct conv_geometry {
  memory::dims src, weights, bias, dst, strides, padding;
};

class conv2d_stage : public weighted_stage {
 public:
  conv2d_stage(const stage_config& cfg, const conv_geometry& g, std::size_t weight_offset,
               std::size_t bias_offset)
      : weighted_stage(weight_offset, bias_offset) {
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
    set_forward(cfg, dnnl::convolution_forward(fwd_pd), fwd_pd, w_plain, b_md);
    if (!cfg.training) return;

    const dnnl::convolution_backward_weights::primitive_desc bw_pd(
        dnnl::convolution_backward_weights::desc(alg, src_any, w_any, b_md, dst_any, g.strides,
                                                 g.padding, g.padding),
        eng, fwd_pd);
    set_backward_weights(cfg, dnnl::convolution_backward_weights(bw_pd), fwd_pd, bw_pd, w_plain,
                         b_md);
    if (!cfg.need_diff_src) return;

    const dnnl::convolution_backward_data::primitive_desc bd_pd(
        dnnl::convolution_backward_data::desc(alg, src_any, w_any, dst_any, g.strides, g.padding,
                                              g.padding),
        eng, fwd_pd);
    set_backward_data(cfg, dnnl::convolution_backward_data(bd_pd), fwd_pd, bd_pd);
  }
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
