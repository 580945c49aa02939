// bf16_cast: elementwise conversions with the hardware's round-to-nearest-even
// conversion (__float2bfloat16_rn).
#include "gpu/cuda/bf16_cast.hpp"

#include <cuda_bf16.h>

#include <algorithm>

#include "gpu/cuda/check.hpp"
#include "gpu/cuda/flat_launch.hpp"

namespace sgp::gpu::cuda {
namespace {

__global__ void to_bf16_kernel(const float* __restrict__ src, std::uint16_t* __restrict__ dst,
                               std::size_t n) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    dst[i] = __bfloat16_as_ushort(__float2bfloat16_rn(src[i]));
  }
}

__global__ void from_bf16_kernel(const std::uint16_t* __restrict__ src, float* __restrict__ dst,
                                 std::size_t n) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    dst[i] = __bfloat162float(__ushort_as_bfloat16(src[i]));
  }
}

}  // namespace

void launch_float_to_bf16(const float* src, std::uint16_t* dst, std::size_t n,
                          cudaStream_t stream) {
  if (n == 0) return;
  to_bf16_kernel<<<grid_for(n), block_size, 0, stream>>>(src, dst, n);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_bf16_to_float(const std::uint16_t* src, float* dst, std::size_t n,
                          cudaStream_t stream) {
  if (n == 0) return;
  from_bf16_kernel<<<grid_for(n), block_size, 0, stream>>>(src, dst, n);
  SGP_CUDA_CHECK_LAUNCH();
}

}  // namespace sgp::gpu::cuda
