// reorder_step: layout conversion that is skipped when layouts match.
#include "gpu/cpu/reorder_step.hpp"

#include "core/assert.hpp"

namespace sgp::gpu::cpu {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::memory::desc plain_md(const dnnl::memory::dims& dims) {
  switch (dims.size()) {
    case 1:
      return {dims, dt::f32, tag::a};
    case 2:
      return {dims, dt::f32, tag::ab};
    case 3:
      return {dims, dt::f32, tag::abc};
    case 4:
      return {dims, dt::f32, tag::abcd};
    default:
      SGP_ASSERT(false && "plain_md: unsupported rank");
  }
  return {};
}

reorder_step::reorder_step(const dnnl::engine& eng, const dnnl::memory::desc& from,
                           const dnnl::memory::desc& to)
    : engine_(eng), from_(from), to_(to) {
  if (from == to) return;
  reorder_.emplace(dnnl::reorder::primitive_desc(eng, from, eng, to));
}

const dnnl::memory& reorder_step::to(dnnl::stream& s, const dnnl::memory& src) {
  if (identity()) return src;
  if (!to_scratch_) to_scratch_ = dnnl::memory(to_, engine_);
  reorder_->execute(s, {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, to_scratch_}});
  return to_scratch_;
}

const dnnl::memory& reorder_step::staging(const dnnl::memory& dst) {
  if (identity()) return dst;
  if (!from_scratch_) from_scratch_ = dnnl::memory(from_, engine_);
  return from_scratch_;
}

void reorder_step::finish(dnnl::stream& s, const dnnl::memory& dst) {
  if (identity()) return;
  SGP_ASSERT(from_scratch_);
  reorder_->execute(s, {{DNNL_ARG_FROM, from_scratch_}, {DNNL_ARG_TO, dst}});
}

}  // namespace sgp::gpu::cpu
