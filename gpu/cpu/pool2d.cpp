// pool2d: pooling forward (training with workspace for max) and backward.
#include "gpu/cpu/pool2d.hpp"

#include "core/assert.hpp"

namespace sgp::gpu::cpu {
namespace {

using dnnl::memory;

class pool2d_stage : public layer_stage {
 public:
  pool2d_stage(const stage_config& cfg, dnnl::algorithm alg, const memory::dims& dst_dims,
               const memory::dims& kernel, const memory::dims& strides,
               const memory::dims& padding) {
    const auto& eng = *cfg.engine;
    const auto prop =
        cfg.training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    const memory::desc dst_any(dst_dims, memory::data_type::f32, memory::format_tag::any);
    const dnnl::pooling_forward::primitive_desc fwd_pd(
        dnnl::pooling_forward::desc(prop, alg, cfg.src_md, dst_any, strides, kernel, padding,
                                    padding),
        eng);
    fwd_ = dnnl::pooling_forward(fwd_pd);
    dst_ = memory(fwd_pd.dst_desc(), eng);
    if (!cfg.training) return;
    if (fwd_pd.workspace_desc().get_size() > 0) {
      workspace_ = memory(fwd_pd.workspace_desc(), eng);
    }
    if (!cfg.need_diff_src) return;
    const dnnl::pooling_backward::primitive_desc bwd_pd(
        dnnl::pooling_backward::desc(alg, cfg.src_md, fwd_pd.dst_desc(), strides, kernel, padding,
                                     padding),
        eng, fwd_pd);
    SGP_ASSERT(bwd_pd.diff_src_desc() == cfg.src_md);
    SGP_ASSERT(bwd_pd.diff_dst_desc() == fwd_pd.dst_desc());
    bwd_ = dnnl::pooling_backward(bwd_pd);
    diff_src_ = memory(cfg.src_md, eng);
    has_diff_src_ = true;
  }

  [[nodiscard]] const memory& dst() const override { return dst_; }

  void forward(const run_context& ctx, const memory& src) override {
    if (workspace_) {
      fwd_.execute(*ctx.stream,
                   {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst_}, {DNNL_ARG_WORKSPACE, workspace_}});
    } else {
      fwd_.execute(*ctx.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst_}});
    }
  }

  const memory* backward(const run_context& ctx, const memory& diff_dst) override {
    if (!has_diff_src_) return nullptr;
    if (workspace_) {
      bwd_.execute(*ctx.stream, {{DNNL_ARG_DIFF_DST, diff_dst},
                                 {DNNL_ARG_DIFF_SRC, diff_src_},
                                 {DNNL_ARG_WORKSPACE, workspace_}});
    } else {
      bwd_.execute(*ctx.stream, {{DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_SRC, diff_src_}});
    }
    return &diff_src_;
  }

 private:
  dnnl::pooling_forward fwd_;
  dnnl::pooling_backward bwd_;
  memory dst_, workspace_, diff_src_;
  bool has_diff_src_ = false;
};

}  // namespace

pool2d::pool2d(std::string name, pool_kind kind, int kernel, int stride, int padding)
    : layer(std::move(name)), kind_(kind), kernel_(kernel), stride_(stride), padding_(padding) {
  SGP_ASSERT(kernel_ > 0 && stride_ > 0 && padding_ >= 0 && padding_ < kernel_);
}

memory::dims pool2d::output_dims(const memory::dims& src) const {
  if (src.size() != 4) return {};
  if (src[2] + 2 * padding_ < kernel_ || src[3] + 2 * padding_ < kernel_) return {};
  const memory::dim oh = (src[2] + 2 * padding_ - kernel_) / stride_ + 1;
  const memory::dim ow = (src[3] + 2 * padding_ - kernel_) / stride_ + 1;
  return {src[0], src[1], oh, ow};
}

std::unique_ptr<layer_stage> pool2d::build(const stage_config& cfg) const {
  const memory::dims dst = output_dims(cfg.src_md.dims());
  SGP_ASSERT(!dst.empty());
  const auto alg = kind_ == pool_kind::max ? dnnl::algorithm::pooling_max
                                           : dnnl::algorithm::pooling_avg_include_padding;
  return std::make_unique<pool2d_stage>(cfg, alg, dst, memory::dims{kernel_, kernel_},
                                        memory::dims{stride_, stride_},
                                        memory::dims{padding_, padding_});
}

}  // namespace sgp::gpu::cpu
