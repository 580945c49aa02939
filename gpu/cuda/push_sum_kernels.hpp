// Push-sum kernels over a node's numerator x (float) and cumulative mass
// buffers (double), the device twins of core::host_mass_space: every product
// and sum is rounded as written there (no fused multiply-add), so both give
// the same bits.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

namespace sgp::gpu::cuda {

/// Edges one launch of launch_push_send serves.
constexpr int max_send_edges = 8;

/// The edges of one send: per edge the old cumulative buffer (null: zeros)
/// and the new one to write.
struct send_edges {
  const double* old[max_send_edges] = {};
  double* next[max_send_edges] = {};
  int count = 0;
};

/// s = fraction * x (rounded to bf16 when `bf16`); next_k = old_k + s for
/// every edge; x -= sum_k (next_k - old_k). With `delta`, x += scale * delta
/// first, in the same pass (rounded as launch_add_scaled rounds it).
void launch_push_send(float* x, std::size_t n, double fraction, bool bf16, const send_edges& edges,
                      cudaStream_t stream, const float* delta = nullptr, float scale = 0.0f);

/// x += in - old (old null: x += in).
void launch_push_apply(float* x, std::size_t n, const double* in, const double* old,
                       cudaStream_t stream);

/// x += scale * delta.
void launch_add_scaled(float* x, const float* delta, std::size_t n, float scale,
                       cudaStream_t stream);

/// z = x * (1 / w), in double.
void launch_debias(const float* x, std::size_t n, double w, float* z, cudaStream_t stream);

}  // namespace sgp::gpu::cuda
