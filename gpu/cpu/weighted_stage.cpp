// weighted_stage: forward and backward of a layer with weight and bias (see
// weighted_stage.hpp).
#include "gpu/cpu/weighted_stage.hpp"

namespace sgp::gpu::cpu {

void weighted_stage::forward(const run_context& ctx, const dnnl::memory& src) {
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

const dnnl::memory* weighted_stage::backward(const run_context& ctx, const dnnl::memory& diff_dst) {
  auto& s = *ctx.stream;
  diff_weight_user_.set_data_handle(ctx.grads + weight_offset_);
  diff_bias_user_.set_data_handle(ctx.grads + bias_offset_);
  const dnnl::memory& diff_weight = diff_weight_out_.staging(diff_weight_user_);
  bwd_weights_.execute(s, {{DNNL_ARG_SRC, bw_src_.to(s, src_)},
                           {DNNL_ARG_DIFF_DST, bw_diff_dst_.to(s, diff_dst)},
                           {DNNL_ARG_DIFF_WEIGHTS, diff_weight},
                           {DNNL_ARG_DIFF_BIAS, diff_bias_user_}});
  diff_weight_out_.finish(s, diff_weight_user_);
  if (!has_diff_src_) return nullptr;

  const dnnl::memory& diff_src = diff_src_out_.staging(diff_src_);
  bwd_data_.execute(s, {{DNNL_ARG_DIFF_DST, bd_diff_dst_.to(s, diff_dst)},
                        {DNNL_ARG_WEIGHTS, bd_weights_.to(s, weight_)},
                        {DNNL_ARG_DIFF_SRC, diff_src}});
  diff_src_out_.finish(s, diff_src_);
  return &diff_src_;
}

}  // namespace sgp::gpu::cpu
