// One batch norm of the ResNet path on an NHWC tensor: the host side of
// bn_nhwc_kernels for one batch size and mode, with the per-channel values
// kept from forward to backward. Parameters and gradients are fp32 in the
// flat vectors; running statistics live in the network's state.
#pragma once

#include <cstddef>

#include "gpu/cuda/bn_nhwc_kernels.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/layer.hpp"

namespace sgp::gpu::cuda {

/// Where a batch norm's parameters and running statistics live.
struct bn_binding {
  int channels = 0;
  std::size_t scale_offset = 0;  ///< in the flat parameter vector
  std::size_t shift_offset = 0;
  float* state = nullptr;  ///< running mean (channels), then running variance
};

/// Scratch shared by all batch norms of a network (they run one at a time).
struct bn_scratch {
  float* partial = nullptr;  ///< bn_partial_floats() of the largest
  float* coef = nullptr;     ///< 3 * the most channels
};

/// y = [relu](bn(x) [+ z]) for `rows` positions.
class bn_nhwc {
 public:
  bn_nhwc(act_dtype t, const bn_binding& b, long long rows, bool training)
      : t_(t),
        b_(b),
        g_(make_bn_geometry(t, rows, b.channels)),
        training_(training),
        saved_(4 * static_cast<std::size_t>(b.channels)) {}

  [[nodiscard]] std::size_t partial_floats() const { return bn_partial_floats(g_); }

  void forward(const run_context& ctx, const bn_scratch& s, const void* x, const void* z, bool relu,
               void* y) {
    const float* gamma = ctx.params + b_.scale_offset;
    const float* beta = ctx.params + b_.shift_offset;
    float* mean = b_.state;
    float* var = b_.state + b_.channels;
    if (training_) {
      launch_bn_forward_stats(t_, x, g_, gamma, beta, mean, var, s.partial, saved_.data(),
                              ctx.stream);
    } else {
      launch_bn_inference_coefs(b_.channels, gamma, beta, mean, var, saved_.data(), ctx.stream);
    }
    launch_bn_apply(t_, x, z, relu, saved_.data(), g_, y, ctx.stream);
  }

  /// `y` is the forward output when relu was applied, else null; `dz` may
  /// be null (no residual gradient wanted).
  void backward(const run_context& ctx, const bn_scratch& s, const void* x, const void* y,
                const void* dy, void* dx, void* dz) {
    launch_bn_backward(t_, x, y, dy, g_, ctx.params + b_.scale_offset, saved_.data(), s.partial,
                       s.coef, ctx.grads + b_.scale_offset, ctx.grads + b_.shift_offset, dx, dz,
                       ctx.stream);
  }

 private:
  act_dtype t_;
  bn_binding b_;
  bn_geometry g_;
  bool training_;
  device_array<float> saved_;
};

}  // namespace sgp::gpu::cuda
