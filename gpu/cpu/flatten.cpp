// flatten: an alias of plain memory, or a reorder to plain and back.
#include "gpu/cpu/flatten.hpp"

#include "core/assert.hpp"
#include "gpu/cpu/reorder_step.hpp"

namespace sgp::gpu::cpu {
namespace {

using dnnl::memory;

class flatten_stage : public layer_stage {
 public:
  flatten_stage(const stage_config& cfg, const memory::dims& dst_dims) {
    const auto& eng = *cfg.engine;
    const memory::desc plain_src = plain_md(cfg.src_md.dims());
    to_plain_ = reorder_step(eng, cfg.src_md, plain_src);
    dst_ = memory(plain_md(dst_dims), eng, DNNL_MEMORY_NONE);
    if (!cfg.training || !cfg.need_diff_src) return;
    diff_plain_ = memory(plain_src, eng, DNNL_MEMORY_NONE);
    from_plain_ = reorder_step(eng, plain_src, cfg.src_md);
    has_diff_src_ = true;
  }

  [[nodiscard]] const memory& dst() const override { return dst_; }

  void forward(const run_context& ctx, const memory& src) override {
    dst_.set_data_handle(to_plain_.to(*ctx.stream, src).get_data_handle());
  }

  const memory* backward(const run_context& ctx, const memory& diff_dst) override {
    if (!has_diff_src_) return nullptr;
    diff_plain_.set_data_handle(diff_dst.get_data_handle());
    diff_src_ = from_plain_.to(*ctx.stream, diff_plain_);
    return &diff_src_;
  }

 private:
  reorder_step to_plain_, from_plain_;
  memory dst_, diff_plain_, diff_src_;
  bool has_diff_src_ = false;
};

}  // namespace

memory::dims flatten::output_dims(const memory::dims& src) const {
  if (src.size() < 2) return {};
  memory::dim features = 1;
  for (std::size_t i = 1; i < src.size(); ++i) features *= src[i];
  return {src[0], features};
}

std::unique_ptr<layer_stage> flatten::build(const stage_config& cfg) const {
  const memory::dims dst = output_dims(cfg.src_md.dims());
  SGP_ASSERT(!dst.empty());
  return std::make_unique<flatten_stage>(cfg, dst);
}

}  // namespace sgp::gpu::cpu
