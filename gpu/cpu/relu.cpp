// relu: eltwise forward and backward (gradient from the saved input).
#include "gpu/cpu/relu.hpp"

#include "core/assert.hpp"

namespace sgp::gpu::cpu {
namespace {

using dnnl::memory;

class relu_stage : public layer_stage {
 public:
  explicit relu_stage(const stage_config& cfg) {
    const auto& eng = *cfg.engine;
    const auto prop =
        cfg.training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    const auto alg = dnnl::algorithm::eltwise_relu;
    const dnnl::eltwise_forward::primitive_desc fwd_pd(
        dnnl::eltwise_forward::desc(prop, alg, cfg.src_md, 0.0f, 0.0f), eng);
    fwd_ = dnnl::eltwise_forward(fwd_pd);
    dst_ = memory(fwd_pd.dst_desc(), eng);
    if (!cfg.training || !cfg.need_diff_src) return;
    const dnnl::eltwise_backward::primitive_desc bwd_pd(
        dnnl::eltwise_backward::desc(alg, cfg.src_md, cfg.src_md, 0.0f, 0.0f), eng, fwd_pd);
    SGP_ASSERT(bwd_pd.diff_src_desc() == cfg.src_md);
    SGP_ASSERT(bwd_pd.diff_dst_desc() == fwd_pd.dst_desc());
    bwd_ = dnnl::eltwise_backward(bwd_pd);
    diff_src_ = memory(cfg.src_md, eng);
    has_diff_src_ = true;
  }

  [[nodiscard]] const memory& dst() const override { return dst_; }

  void forward(const run_context& ctx, const memory& src) override {
    src_ = src;
    fwd_.execute(*ctx.stream, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DST, dst_}});
  }

  const memory* backward(const run_context& ctx, const memory& diff_dst) override {
    if (!has_diff_src_) return nullptr;
    bwd_.execute(
        *ctx.stream,
        {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_SRC, diff_src_}});
    return &diff_src_;
  }

 private:
  dnnl::eltwise_forward fwd_;
  dnnl::eltwise_backward bwd_;
  memory src_, dst_, diff_src_;
  bool has_diff_src_ = false;
};

}  // namespace

std::unique_ptr<layer_stage> relu::build(const stage_config& cfg) const {
  return std::make_unique<relu_stage>(cfg);
}

}  // namespace sgp::gpu::cpu
