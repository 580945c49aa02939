// A oneDNN reorder between two memory layouts that costs nothing when the
// layouts already match: primitives may pick blocked layouts (format any),
// while parameters and gradients stay in PyTorch's plain layouts.
#pragma once

#include <optional>

#include <oneapi/dnnl/dnnl.hpp>

namespace sgp::gpu::cpu {

/// Plain row-major desc for dims: nc, ncw, nchw or oihw-like (f32).
dnnl::memory::desc plain_md(const dnnl::memory::dims& dims);

/// Converts data from the `from` layout to the `to` layout; identity (no
/// copy, no scratch) when the two descs are equal.
class reorder_step {
 public:
  reorder_step() = default;
  reorder_step(const dnnl::engine& eng, const dnnl::memory::desc& from,
               const dnnl::memory::desc& to);

  /// Whether the layouts match, so that no reorder runs.
  [[nodiscard]] bool identity() const { return !reorder_.has_value(); }

  /// Data of `src` (in the `from` layout) in the `to` layout: `src` itself
  /// when identity, else reordered into scratch memory owned here.
  const dnnl::memory& to(dnnl::stream& s, const dnnl::memory& src);

  /// Memory in the `from` layout for a primitive to write into so that
  /// finish() lands the result in `dst` (in the `to` layout): `dst` itself
  /// when identity.
  const dnnl::memory& staging(const dnnl::memory& dst);

  /// Reorders the staged result into `dst` (nothing when identity).
  void finish(dnnl::stream& s, const dnnl::memory& dst);

 private:
  dnnl::engine engine_;
  dnnl::memory::desc from_;
  dnnl::memory::desc to_;
  std::optional<dnnl::reorder> reorder_;
  dnnl::memory to_scratch_;
  dnnl::memory from_scratch_;
};

}  // namespace sgp::gpu::cpu
