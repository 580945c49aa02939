// The CPU backend's internal layer interface: a network is a list of layers,
// and each layer builds one stage (its oneDNN primitives and scratch memory)
// per batch size and mode, so primitives are created once and reused.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "gpu/backend.hpp"
#include "gpu/param_layout_builder.hpp"

namespace sgp::gpu::cpu {

using gpu::param_request;

/// Pointers valid for one forward or backward call.
struct run_context {
  dnnl::stream* stream = nullptr;
  const float* params = nullptr;  ///< the flat parameter vector
  float* grads = nullptr;         ///< the flat gradient vector (backward only)
};

/// What a stage is built for.
struct stage_config {
  const dnnl::engine* engine = nullptr;
  dnnl::memory::desc src_md;   ///< the layout the previous stage produces
  bool training = false;       ///< training-mode forward plus backward primitives
  bool need_diff_src = false;  ///< whether backward must produce the input gradient
};

/// One layer's primitives and memory for one batch size and mode.
class layer_stage {
 public:
  virtual ~layer_stage() = default;

  /// Output of the last forward; its desc is fixed when the stage is built.
  [[nodiscard]] virtual const dnnl::memory& dst() const = 0;

  /// Forward pass on `src` (with the desc given at build time). `src` must
  /// stay valid and unchanged until backward.
  virtual void forward(const run_context& ctx, const dnnl::memory& src) = 0;

  /// Backward pass after a training forward: `diff_dst` has dst()'s desc.
  /// Overwrites this layer's parameter gradients in ctx.grads and returns the
  /// input gradient (with the src desc), or nullptr when the stage was built
  /// without need_diff_src.
  virtual const dnnl::memory* backward(const run_context& ctx, const dnnl::memory& diff_dst) = 0;
};

/// A layer: its configuration, where its parameters and state live, and a
/// factory for stages.
class layer {
 public:
  explicit layer(std::string name) : name_(std::move(name)) {}
  virtual ~layer() = default;
  layer(const layer&) = delete;
  layer& operator=(const layer&) = delete;

  /// Instance name, e.g. "conv1"; parameter names are "<name>.<suffix>".
  [[nodiscard]] const std::string& name() const { return name_; }

  /// Output dims (batch first) for input dims, or empty dims when the input
  /// does not fit this layer.
  [[nodiscard]] virtual dnnl::memory::dims output_dims(const dnnl::memory::dims& src) const = 0;

  /// Parameter tensors this layer owns, in a fixed order.
  [[nodiscard]] virtual std::vector<param_request> param_requests() const { return {}; }

  /// Offsets of the requested tensors in the flat vector, in request order.
  virtual void bind_params(std::span<const std::size_t> offsets) { (void)offsets; }

  /// Floats of non-trainable state (batch-norm running statistics).
  [[nodiscard]] virtual std::size_t state_size() const { return 0; }

  /// Where this layer's state lives (state_size() floats, owned by the model).
  virtual void bind_state(float* state) { (void)state; }

  /// Puts the state back to its initial value.
  virtual void reset_state() {}

  /// Builds the primitives for one batch size and mode.
  [[nodiscard]] virtual std::unique_ptr<layer_stage> build(const stage_config& cfg) const = 0;

 private:
  std::string name_;
};

}  // namespace sgp::gpu::cpu
