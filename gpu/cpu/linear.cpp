// linear: inner product forward, backward-data and backward-weights.
#include "gpu/cpu/linear.hpp"

#include "core/assert.hpp"
#include "gpu/cpu/reorder_step.hpp"

namespace sgp::gpu::cpu {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

class linear_stage : public layer_stage {
 public:
  linear_stage(const stage_config& cfg, int in, int out, std::size_t weight_offset,
               std::size_t bias_offset)
      : weight_offset_(weight_offset), bias_offset_(bias_offset) {
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
    fwd_ = dnnl::inner_product_forward(fwd_pd);
    src_in_ = reorder_step(eng, cfg.src_md, fwd_pd.src_desc());
    weight_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
    bias_user_ = memory(b_md, eng, DNNL_MEMORY_NONE);
    weight_in_ = reorder_step(eng, w_plain, fwd_pd.weights_desc());
    dst_ = memory(fwd_pd.dst_desc(), eng);
    if (!cfg.training) return;

    const dnnl::inner_product_backward_weights::primitive_desc bw_pd(
        dnnl::inner_product_backward_weights::desc(src_any, w_any, b_md, dst_any), eng, fwd_pd);
    bwd_weights_ = dnnl::inner_product_backward_weights(bw_pd);
    SGP_ASSERT(bw_pd.diff_bias_desc() == b_md);
    bw_src_ = reorder_step(eng, fwd_pd.src_desc(), bw_pd.src_desc());
    bw_diff_dst_ = reorder_step(eng, fwd_pd.dst_desc(), bw_pd.diff_dst_desc());
    diff_weight_out_ = reorder_step(eng, bw_pd.diff_weights_desc(), w_plain);
    diff_weight_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
    diff_bias_user_ = memory(b_md, eng, DNNL_MEMORY_NONE);
    if (!cfg.need_diff_src) return;

    const dnnl::inner_product_backward_data::primitive_desc bd_pd(
        dnnl::inner_product_backward_data::desc(src_any, w_any, dst_any), eng, fwd_pd);
    bwd_data_ = dnnl::inner_product_backward_data(bd_pd);
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
  dnnl::inner_product_forward fwd_;
  dnnl::inner_product_backward_weights bwd_weights_;
  dnnl::inner_product_backward_data bwd_data_;
  reorder_step src_in_, weight_in_, bw_src_, bw_diff_dst_, diff_weight_out_;
  reorder_step bd_weights_, bd_diff_dst_, diff_src_out_;
  memory weight_user_, bias_user_, diff_weight_user_, diff_bias_user_;
  memory src_, weight_, dst_, diff_src_;
  bool has_diff_src_ = false;
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
