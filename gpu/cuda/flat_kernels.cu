// Flat-vector kernels: fused SGD step, scale, push-sum mix and de-bias.
// Memory-bound one-pass loops; a grid-stride loop with a grid capped at a few
// waves keeps launches cheap for small vectors and saturates HBM for large.
#include "gpu/cuda/flat_kernels.hpp"

#include <algorithm>
#include <cstdint>

#include "gpu/cuda/check.hpp"
#include "gpu/cuda/flat_launch.hpp"

namespace sgp::gpu::cuda {
namespace {

/// The SGD step; with `delta` set, x is only read and delta = -lr * d.
__global__ void sgd_step_kernel(float* __restrict__ x, const float* __restrict__ g,
                                float* __restrict__ m, std::size_t n, std::size_t decayed, float lr,
                                float mu, float wd, bool nesterov, float* __restrict__ delta) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    const float xi = x[i];
    // fmaf would round differently from the CPU oracle's separate multiply
    // and add; keep the operations as written there.
    const float gi = i < decayed ? __fadd_rn(g[i], __fmul_rn(wd, xi)) : g[i];
    const float mi = __fadd_rn(__fmul_rn(mu, m[i]), gi);
    m[i] = mi;
    const float d = nesterov ? __fadd_rn(gi, __fmul_rn(mu, mi)) : mi;
    if (delta != nullptr) {
      delta[i] = -__fmul_rn(lr, d);
    } else {
      x[i] = __fsub_rn(xi, __fmul_rn(lr, d));
    }
  }
}

__global__ void scale_kernel(float* __restrict__ x, std::size_t n, float factor) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    x[i] *= factor;
  }
}

__global__ void add_kernel(const float* __restrict__ x, float* __restrict__ y, std::size_t n) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    y[i] = __fadd_rn(y[i], x[i]);
  }
}

/// out[i] = sums[i] / count. __fdiv_rn: IEEE division whatever the
/// compiler's fast-math flags (the CPU twin's bits).
__device__ void divide_all(const float* sums, float* out, std::size_t n, float count) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    out[i] = __fdiv_rn(sums[i], count);
  }
}

/// Reads the divisor from device memory: no host sync between the sum
/// that writes it and the division.
__global__ void divide_by_last_kernel(const float* sums, float* out, std::size_t n) {
  divide_all(sums, out, n, sums[n]);
}

__global__ void divide_kernel(const float* sums, float* out, std::size_t n, float count) {
  divide_all(sums, out, n, count);
}

__global__ void mix_debias_kernel(float* __restrict__ x, const float* __restrict__ share,
                                  std::size_t n, double inv_w, float* __restrict__ z) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    const float xi = x[i] + share[i];
    x[i] = xi;
    z[i] = static_cast<float>(static_cast<double>(xi) * inv_w);
  }
}

/// The same on float4 vectors (all three arrays 16-byte aligned). Each
/// thread issues both loads of two vectors before any store, and the grid
/// covers the whole array (no grid-stride loop), so that enough bytes are in
/// flight to run at copy bandwidth; streaming hints, since nothing is reused.
constexpr int mix_vectors_per_thread = 2;

__global__ void __launch_bounds__(block_size)
    mix_debias_vec4_kernel(float4* __restrict__ x, const float4* __restrict__ share, std::size_t n4,
                           double inv_w, float4* __restrict__ z) {
  const std::size_t base =
      static_cast<std::size_t>(blockIdx.x) * block_size * mix_vectors_per_thread + threadIdx.x;
  float4 a[mix_vectors_per_thread];
  float4 b[mix_vectors_per_thread];
#pragma unroll
  for (int k = 0; k < mix_vectors_per_thread; ++k) {
    const std::size_t i = base + static_cast<std::size_t>(k) * block_size;
    if (i < n4) {
      a[k] = __ldcs(x + i);
      b[k] = __ldcs(share + i);
    }
  }
#pragma unroll
  for (int k = 0; k < mix_vectors_per_thread; ++k) {
    const std::size_t i = base + static_cast<std::size_t>(k) * block_size;
    if (i >= n4) break;
    float4 v = a[k];
    v.x += b[k].x;
    v.y += b[k].y;
    v.z += b[k].z;
    v.w += b[k].w;
    __stcs(x + i, v);
    __stcs(z + i, make_float4(static_cast<float>(static_cast<double>(v.x) * inv_w),
                              static_cast<float>(static_cast<double>(v.y) * inv_w),
                              static_cast<float>(static_cast<double>(v.z) * inv_w),
                              static_cast<float>(static_cast<double>(v.w) * inv_w)));
  }
}

bool aligned16(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) % 16 == 0;
}

}  // namespace

void launch_sgd_step(float* x, const float* grads, float* momentum, std::size_t n,
                     std::size_t decayed, float lr, float mu, float wd, bool nesterov,
                     cudaStream_t stream) {
  if (n == 0) return;
  sgd_step_kernel<<<grid_for(n), block_size, 0, stream>>>(x, grads, momentum, n, decayed, lr, mu,
                                                          wd, nesterov, nullptr);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_sgd_delta(const float* x, const float* grads, float* momentum, float* delta,
                      std::size_t n, std::size_t decayed, float lr, float mu, float wd,
                      bool nesterov, cudaStream_t stream) {
  if (n == 0) return;
  // The kernel does not write x when delta is set.
  sgd_step_kernel<<<grid_for(n), block_size, 0, stream>>>(const_cast<float*>(x), grads, momentum, n,
                                                          decayed, lr, mu, wd, nesterov, delta);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_scale(float* x, std::size_t n, float factor, cudaStream_t stream) {
  if (n == 0) return;
  scale_kernel<<<grid_for(n), block_size, 0, stream>>>(x, n, factor);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_mix_debias(float* x, const float* share, std::size_t n, double w, float* z,
                       cudaStream_t stream) {
  if (n == 0) return;
  const double inv_w = 1.0 / w;
  std::size_t done = 0;
  if (aligned16(x) && aligned16(share) && aligned16(z) && n >= 4) {
    const std::size_t n4 = n / 4;
    const std::size_t per_block = static_cast<std::size_t>(block_size) * mix_vectors_per_thread;
    const auto blocks = static_cast<unsigned>((n4 + per_block - 1) / per_block);
    mix_debias_vec4_kernel<<<blocks, block_size, 0, stream>>>(
        reinterpret_cast<float4*>(x), reinterpret_cast<const float4*>(share), n4, inv_w,
        reinterpret_cast<float4*>(z));
    SGP_CUDA_CHECK_LAUNCH();
    done = 4 * n4;
  }
  if (done == n) return;
  mix_debias_kernel<<<grid_for(n - done), block_size, 0, stream>>>(x + done, share + done, n - done,
                                                                   inv_w, z + done);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_divide_by_last(const float* sums, float* out, std::size_t n, cudaStream_t stream) {
  if (n == 0) return;
  divide_by_last_kernel<<<grid_for(n), block_size, 0, stream>>>(sums, out, n);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_divide(const float* sums, float* out, std::size_t n, float count, cudaStream_t stream) {
  if (n == 0) return;
  divide_kernel<<<grid_for(n), block_size, 0, stream>>>(sums, out, n, count);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_add(const float* x, float* y, std::size_t n, cudaStream_t stream) {
  if (n == 0) return;
  add_kernel<<<grid_for(n), block_size, 0, stream>>>(x, y, n);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_copy(const float* src, float* dst, std::size_t n, cudaStream_t stream) {
  if (n == 0 || src == dst) return;
  SGP_CUDA_CHECK(cudaMemcpyAsync(dst, src, n * sizeof(float), cudaMemcpyDeviceToDevice, stream));
}

}  // namespace sgp::gpu::cuda
