// layer_kernels: elementwise helpers with grid-stride loops.
#include "gpu/cuda/layer_kernels.hpp"

#include <algorithm>

#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {
namespace {

constexpr int block_size = 256;

int grid_for(long long n) {
  const long long blocks = (n + block_size - 1) / block_size;
  return static_cast<int>(std::min<long long>(std::max<long long>(blocks, 1), 132 * 8));
}

__global__ void add_bias_rows_kernel(float* __restrict__ y, const float* __restrict__ bias,
                                     long long n, int cols) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    y[i] += bias[i % cols];
  }
}

__global__ void relu_forward_kernel(const float* x, float* y, long long n) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    y[i] = fmaxf(x[i], 0.0f);
  }
}

__global__ void relu_backward_kernel(const float* __restrict__ y, const float* __restrict__ dy,
                                     float* __restrict__ dx, long long n) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
  }
}

__global__ void fill_kernel(float* dst, float value, long long n) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    dst[i] = value;
  }
}

constexpr int sum_block = 256;

__global__ void __launch_bounds__(sum_block)
    channel_partial_kernel(const float* __restrict__ x, int n, int channels, int hw,
                           int images_per_split, float* __restrict__ partial) {
  const int c = blockIdx.x;
  const int split = blockIdx.y;
  const int first = split * images_per_split;
  const int last = min(n, first + images_per_split);
  float acc = 0.0f;
  for (int img = first; img < last; ++img) {
    const float* plane = x + (static_cast<long long>(img) * channels + c) * hw;
    for (int i = threadIdx.x; i < hw; i += sum_block) acc += plane[i];
  }
  for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
  __shared__ float warp_sums[sum_block / 32];
  if (threadIdx.x % 32 == 0) warp_sums[threadIdx.x / 32] = acc;
  __syncthreads();
  if (threadIdx.x == 0) {
    float total = 0.0f;
    for (int w = 0; w < sum_block / 32; ++w) total += warp_sums[w];
    partial[c * gridDim.y + split] = total;
  }
}

__global__ void channel_final_kernel(const float* __restrict__ partial, int channels, int splits,
                                     float* __restrict__ out) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= channels) return;
  float total = 0.0f;
  for (int s = 0; s < splits; ++s) total += partial[c * splits + s];
  out[c] = total;
}

}  // namespace

int channel_sum_splits(int n, int channels) {
  // About four blocks per SM of an H100 in all.
  const int wanted = (528 + channels - 1) / channels;
  return std::max(1, std::min(n, wanted));
}

void launch_channel_sum(const float* x, int n, int channels, int hw, int splits, float* partial,
                        float* out, cudaStream_t stream) {
  const int per_split = (n + splits - 1) / splits;
  channel_partial_kernel<<<dim3(channels, splits), sum_block, 0, stream>>>(x, n, channels, hw,
                                                                           per_split, partial);
  SGP_CUDA_CHECK_LAUNCH();
  channel_final_kernel<<<(channels + 127) / 128, 128, 0, stream>>>(partial, channels, splits, out);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_add_bias_rows(float* y, const float* bias, int rows, int cols, cudaStream_t stream) {
  const long long n = static_cast<long long>(rows) * cols;
  if (n == 0) return;
  add_bias_rows_kernel<<<grid_for(n), block_size, 0, stream>>>(y, bias, n, cols);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_relu_forward(const float* x, float* y, long long n, cudaStream_t stream) {
  if (n == 0) return;
  relu_forward_kernel<<<grid_for(n), block_size, 0, stream>>>(x, y, n);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_relu_backward(const float* y, const float* dy, float* dx, long long n,
                          cudaStream_t stream) {
  if (n == 0) return;
  relu_backward_kernel<<<grid_for(n), block_size, 0, stream>>>(y, dy, dx, n);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_fill(float* dst, float value, long long n, cudaStream_t stream) {
  if (n == 0) return;
  fill_kernel<<<grid_for(n), block_size, 0, stream>>>(dst, value, n);
  SGP_CUDA_CHECK_LAUNCH();
}

}  // namespace sgp::gpu::cuda
