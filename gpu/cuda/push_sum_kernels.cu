// Push-sum kernels (see push_sum_kernels.hpp): one grid-stride pass each.
#include "gpu/cuda/push_sum_kernels.hpp"

#include <cuda_bf16.h>

#include <algorithm>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/flat_launch.hpp"

namespace sgp::gpu::cuda {
namespace {

__device__ std::size_t first_index() {
  return static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ std::size_t stride() {
  return static_cast<std::size_t>(gridDim.x) * blockDim.x;
}

__global__ void push_send_kernel(float* __restrict__ x, std::size_t n, double fraction, bool bf16,
                                 send_edges edges, const float* __restrict__ delta, float scale) {
  for (std::size_t i = first_index(); i < n; i += stride()) {
    // x after the step, rounded as add_scaled_kernel rounds it.
    const float stepped = delta != nullptr ? __fadd_rn(x[i], __fmul_rn(scale, delta[i])) : x[i];
    const double xi = static_cast<double>(stepped);
    double s = __dmul_rn(fraction, xi);
    if (bf16) s = static_cast<double>(__bfloat162float(__float2bfloat16_rn(__double2float_rn(s))));
    double sent = 0.0;
    for (int k = 0; k < edges.count; ++k) {
      const double b = edges.old[k] != nullptr ? edges.old[k][i] : 0.0;
      const double a = __dadd_rn(b, s);
      edges.next[k][i] = a;
      sent = __dadd_rn(sent, __dsub_rn(a, b));
    }
    x[i] = __double2float_rn(__dsub_rn(xi, sent));
  }
}

__global__ void push_apply_kernel(float* __restrict__ x, std::size_t n,
                                  const double* __restrict__ in, const double* __restrict__ old) {
  for (std::size_t i = first_index(); i < n; i += stride()) {
    const double d = old != nullptr ? __dsub_rn(in[i], old[i]) : in[i];
    x[i] = __double2float_rn(__dadd_rn(static_cast<double>(x[i]), d));
  }
}

__global__ void add_scaled_kernel(float* __restrict__ x, const float* __restrict__ delta,
                                  std::size_t n, float scale) {
  for (std::size_t i = first_index(); i < n; i += stride()) {
    x[i] = __fadd_rn(x[i], __fmul_rn(scale, delta[i]));
  }
}

__global__ void debias_kernel(const float* __restrict__ x, std::size_t n, double inv_w,
                              float* __restrict__ z) {
  for (std::size_t i = first_index(); i < n; i += stride()) {
    z[i] = __double2float_rn(__dmul_rn(static_cast<double>(x[i]), inv_w));
  }
}

}  // namespace

void launch_push_send(float* x, std::size_t n, double fraction, bool bf16, const send_edges& edges,
                      cudaStream_t stream, const float* delta, float scale) {
  SGP_ASSERT(edges.count >= 0 && edges.count <= max_send_edges);
  if (n == 0) return;
  if (edges.count == 0) {
    if (delta != nullptr) launch_add_scaled(x, delta, n, scale, stream);
    return;
  }
  push_send_kernel<<<grid_for(n), block_size, 0, stream>>>(x, n, fraction, bf16, edges, delta,
                                                           scale);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_push_apply(float* x, std::size_t n, const double* in, const double* old,
                       cudaStream_t stream) {
  if (n == 0) return;
  push_apply_kernel<<<grid_for(n), block_size, 0, stream>>>(x, n, in, old);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_add_scaled(float* x, const float* delta, std::size_t n, float scale,
                       cudaStream_t stream) {
  if (n == 0) return;
  add_scaled_kernel<<<grid_for(n), block_size, 0, stream>>>(x, delta, n, scale);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_debias(const float* x, std::size_t n, double w, float* z, cudaStream_t stream) {
  if (n == 0) return;
  debias_kernel<<<grid_for(n), block_size, 0, stream>>>(x, n, 1.0 / w, z);
  SGP_CUDA_CHECK_LAUNCH();
}

}  // namespace sgp::gpu::cuda
