// weighted_stage: what a layer with a weight and a bias (convolution, inner
// product) does with its three oneDNN primitives: reorders between the
// user's plain parameter layout and the primitives' chosen layouts, forward,
// backward-weights (plus bias) and, when needed, backward-data. The layers
// only describe their primitives.
#pragma once

#include <cstddef>

#include "core/assert.hpp"
#include "gpu/cpu/layer.hpp"
#include "gpu/cpu/reorder_step.hpp"

namespace sgp::gpu::cpu {

class weighted_stage : public layer_stage {
 public:
  weighted_stage(std::size_t weight_offset, std::size_t bias_offset)
      : weight_offset_(weight_offset), bias_offset_(bias_offset) {}

  /// The forward primitive `fwd` made from `pd`; `w_plain` and `b_md` are
  /// the parameters' layouts in the flat vector.
  template <class FwdPd>
  void set_forward(const stage_config& cfg, dnnl::primitive fwd, const FwdPd& pd,
                   const dnnl::memory::desc& w_plain, const dnnl::memory::desc& b_md) {
    const auto& eng = *cfg.engine;
    fwd_ = std::move(fwd);
    src_in_ = reorder_step(eng, cfg.src_md, pd.src_desc());
    weight_user_ = dnnl::memory(w_plain, eng, DNNL_MEMORY_NONE);
    bias_user_ = dnnl::memory(b_md, eng, DNNL_MEMORY_NONE);
    weight_in_ = reorder_step(eng, w_plain, pd.weights_desc());
    dst_ = dnnl::memory(pd.dst_desc(), eng);
  }

  /// The backward-weights primitive (the bias gradient must be plain).
  template <class FwdPd, class BwPd>
  void set_backward_weights(const stage_config& cfg, dnnl::primitive bwd, const FwdPd& fwd_pd,
                            const BwPd& pd, const dnnl::memory::desc& w_plain,
                            const dnnl::memory::desc& b_md) {
    const auto& eng = *cfg.engine;
    bwd_weights_ = std::move(bwd);
    SGP_ASSERT(pd.diff_bias_desc() == b_md);
    bw_src_ = reorder_step(eng, fwd_pd.src_desc(), pd.src_desc());
    bw_diff_dst_ = reorder_step(eng, fwd_pd.dst_desc(), pd.diff_dst_desc());
    diff_weight_out_ = reorder_step(eng, pd.diff_weights_desc(), w_plain);
    diff_weight_user_ = dnnl::memory(w_plain, eng, DNNL_MEMORY_NONE);
    diff_bias_user_ = dnnl::memory(b_md, eng, DNNL_MEMORY_NONE);
  }

  /// The backward-data primitive (only where the input needs a gradient).
  template <class FwdPd, class BdPd>
  void set_backward_data(const stage_config& cfg, dnnl::primitive bwd, const FwdPd& fwd_pd,
                         const BdPd& pd) {
    const auto& eng = *cfg.engine;
    bwd_data_ = std::move(bwd);
    bd_weights_ = reorder_step(eng, fwd_pd.weights_desc(), pd.weights_desc());
    bd_diff_dst_ = reorder_step(eng, fwd_pd.dst_desc(), pd.diff_dst_desc());
    diff_src_out_ = reorder_step(eng, pd.diff_src_desc(), cfg.src_md);
    diff_src_ = dnnl::memory(cfg.src_md, eng);
    has_diff_src_ = true;
  }

  [[nodiscard]] const dnnl::memory& dst() const override { return dst_; }
  void forward(const run_context& ctx, const dnnl::memory& src) override;
  const dnnl::memory* backward(const run_context& ctx, const dnnl::memory& diff_dst) override;

 private:
  std::size_t weight_offset_;
  std::size_t bias_offset_;
  dnnl::primitive fwd_, bwd_weights_, bwd_data_;
  reorder_step src_in_, weight_in_, bw_src_, bw_diff_dst_, diff_weight_out_;
  reorder_step bd_weights_, bd_diff_dst_, diff_src_out_;
  dnnl::memory weight_user_, bias_user_, diff_weight_user_, diff_bias_user_;
  dnnl::memory src_, weight_, dst_, diff_src_;
  bool has_diff_src_ = false;
};

}  // namespace sgp::gpu::cpu
