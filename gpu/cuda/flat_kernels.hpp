// Flat-vector kernels of the optimizer and of push-sum, launched on a stream.
// Host-callable declarations; the kernels live in flat_kernels.cu.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

namespace sgp::gpu::cuda {

/// Fused SGD step in one pass over x, grads and momentum (n floats):
///   g' = g + wd * x (i < decayed); m = mu * m + g';
///   x -= lr * (nesterov ? g' + mu * m : m).
void launch_sgd_step(float* x, const float* grads, float* momentum, std::size_t n,
                     std::size_t decayed, float lr, float mu, float wd, bool nesterov,
                     cudaStream_t stream);

/// The same step as a delta, x unchanged: momentum as above and
///   delta = -lr * (nesterov ? g' + mu * m : m).
void launch_sgd_delta(const float* x, const float* grads, float* momentum, float* delta,
                      std::size_t n, std::size_t decayed, float lr, float mu, float wd,
                      bool nesterov, cudaStream_t stream);

/// x *= factor.
void launch_scale(float* x, std::size_t n, float factor, cudaStream_t stream);

/// x += share; z = x * (1 / w) with the reciprocal and product in double,
/// as core::debias does.
void launch_mix_debias(float* x, const float* share, std::size_t n, double w, float* z,
                       cudaStream_t stream);

/// out[k] = sums[k] / sums[n] for k < n, in fp32 with IEEE rounding (the
/// last element is the count): ar-sgd's average of a sum over processes,
/// the same bits as core::average_of_sum. `out` may be `sums`.
void launch_divide_by_last(const float* sums, float* out, std::size_t n, cudaStream_t stream);

/// out[k] = sums[k] / count for k < n, in fp32 with IEEE rounding (the
/// bits of core::average_of_sum): ar-sgd's average of the gradients of
/// several nodes on GPUs, summed there. `out` may be `sums`.
void launch_divide(const float* sums, float* out, std::size_t n, float count, cudaStream_t stream);

/// y += x in fp32 (core::add's bits): a process's gradients summed on its
/// GPU before ar-sgd's sum across processes.
void launch_add(const float* x, float* y, std::size_t n, cudaStream_t stream);

/// dst = src (device to device, on the stream).
void launch_copy(const float* src, float* dst, std::size_t n, cudaStream_t stream);

}  // namespace sgp::gpu::cuda
