// Batch norm on channels-last (NHWC) tensors of fp32 or bf16 with fp32
// statistics, fused with the residual add and ReLU that follow it in a
// ResNet: y = relu(bn(x) + z). Each reduction runs in two deterministic
// passes: blocks write per-split partial sums, then 16 lanes per channel add
// them (in double, in a fixed order) and derive the per-channel coefficients.
#pragma once

#include <cuda_runtime.h>

#include "gpu/cuda/act_dtype.hpp"

namespace sgp::gpu::cuda {

/// Shape of one batch norm: `rows` = N*H*W positions of `channels` each,
/// and the number of row splits of its reductions.
struct bn_geometry {
  long long rows = 0;
  int channels = 0;
  int splits = 1;
};

/// The geometry for a tensor; asserts channels % vector_width == 0.
bn_geometry make_bn_geometry(act_dtype t, long long rows, int channels);

/// Floats of partial sums a reduction of `g` needs (2 * splits * channels).
[[nodiscard]] inline std::size_t bn_partial_floats(const bn_geometry& g) {
  return 2u * static_cast<std::size_t>(g.splits) * static_cast<std::size_t>(g.channels);
}

// `saved` (4 * channels floats, kept from forward to backward): batch mean,
// 1/sqrt(var + eps), and the affine coefficients scale, shift of
// y = x * scale + shift.

/// Training forward: batch statistics of x, then saved[], then the running
/// mean and unbiased running variance with momentum 0.1 (PyTorch's rule).
void launch_bn_forward_stats(act_dtype t, const void* x, const bn_geometry& g, const float* gamma,
                             const float* beta, float* running_mean, float* running_var,
                             float* partial, float* saved, cudaStream_t stream);

/// Inference: saved[] from the running statistics.
void launch_bn_inference_coefs(int channels, const float* gamma, const float* beta,
                               const float* running_mean, const float* running_var, float* saved,
                               cudaStream_t stream);

/// y = [relu](x * scale + shift [+ z]); z may be null.
void launch_bn_apply(act_dtype t, const void* x, const void* z, bool relu, const float* saved,
                     const bn_geometry& g, void* y, cudaStream_t stream);

/// Backward of y = [relu](bn(x) [+ z]) after a training forward. `y` is the
/// forward output when relu was applied (its sign is the mask), else null.
/// Writes d gamma and d beta (fp32), dx, and, when `dz` is not null, the
/// gradient that reaches z (the masked dy). `partial` and `coef` (3 *
/// channels floats) are scratch.
void launch_bn_backward(act_dtype t, const void* x, const void* y, const void* dy,
                        const bn_geometry& g, const float* gamma, const float* saved,
                        float* partial, float* coef, float* d_gamma, float* d_beta, void* dx,
                        void* dz, cudaStream_t stream);

}  // namespace sgp::gpu::cuda
