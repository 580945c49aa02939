// linear: inner product forward, backward-data and backward-weights.
#include "gpu/cpu/linear.hpp"

#include "core/assert.hpp"
#include "gpu/cpu/weighted_stage.hpp"

namespace sgp::gpu::cpu {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

class linear_stage : public weighted_stage {
 public:
  linear_stage(const stage_config& cfg, int in, int out, std::size_t weight_offset,
               std::size_t bias_offset)
      : weighted_stage(weight_offset, bias_offset) {
    const auto& eng = *cfg.engine;
    const memory::dim n = cfg.src_md.dims()[0];
    const memory::desc src_any({n, in}, dt::f32, tag::any);
    // Training keeps the weights plain: the parameters change every step, and
    // reordering them to a blocked layout and the gradient back costs more
    // than the blocked GEMM saves. Inference lets oneDNN pick (brgemm wins).
    const memory::desc w_any({out, in}, dt::f32, cfg.training ? tag::ab : tag::any);
    const memory::desc b_md({out}, dt::f32, tag::a);
    const memory::desc dst_any({n, out}, dt::f32, tag::any);
    const memory::desc w_plain = plain_md({out, in});

    const auto prop =
        cfg.training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    const dnnl::inner_product_forward::primitive_desc fwd_pd(
        dnnl::inner_product_forward::desc(prop, src_any, w_any, b_md, dst_any), eng);
    set_forward(cfg, dnnl::inner_product_forward(fwd_pd), fwd_pd, w_plain, b_md);
    if (!cfg.training) return;

    const dnnl::inner_product_backward_weights::primitive_desc bw_pd(
        dnnl::inner_product_backward_weights::desc(src_any, w_any, b_md, dst_any), eng, fwd_pd);
    set_backward_weights(cfg, dnnl::inner_product_backward_weights(bw_pd), fwd_pd, bw_pd, w_plain,
                         b_md);
    if (!cfg.need_diff_src) return;

    const dnnl::inner_product_backward_data::primitive_desc bd_pd(
        dnnl::inner_product_backward_data::desc(src_any, w_any, dst_any), eng, fwd_pd);
    set_backward_data(cfg, dnnl::inner_product_backward_data(bd_pd), fwd_pd, bd_pd);
  }
};

}  // namespace

linear::linear(std::string name, int in_features, int out_features)
    : layer(std::move(name)), in_(in_features), out_(out_features) {
  SGP_ASSERT(in_ > 0 && out_ > 0);
}

memory::dims linear::output_dims(const memory::dims& src) const {
  if (src.size() != 2 || src[1] != in_) return {};
  return {src[0], out_};
}

std::vector<param_request> linear::param_requests() const {
  const auto in = static_cast<std::size_t>(in_);
  const auto out = static_cast<std::size_t>(out_);
  return {{"weight", param_kind::weight, out * in, in}, {"bias", param_kind::bias, out, in}};
}

void linear::bind_params(std::span<const std::size_t> offsets) {
  SGP_ASSERT(offsets.size() == 2);
  weight_offset_ = offsets[0];
  bias_offset_ = offsets[1];
}

std::unique_ptr<layer_stage> linear::build(const stage_config& cfg) const {
  SGP_ASSERT(!output_dims(cfg.src_md.dims()).empty());
  return std::make_unique<linear_stage>(cfg, in_, out_, weight_offset_, bias_offset_);
}

}  // namespace sgp::gpu::cpu
