// im2col_kernels: one thread per 8 columns of a column-matrix row (one
// 16-byte store), per padded filter element, per filter-gradient element.
#include "gpu/cuda/im2col_kernels.hpp"

#include <cuda_bf16.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {
namespace {

constexpr int threads = 256;
constexpr int vec = 8;  ///< bf16 per 16-byte store

int grid_for(long long n) {
  const long long blocks = (n + threads - 1) / threads;
  return static_cast<int>(std::clamp<long long>(blocks, 1, 132 * 32));
}

// 32-bit indices (the launcher checks they fit): 64-bit division was most
// of this kernel's time. The filter position (r, s, c) of a vector's first
// column is divided out once, then stepped.
__global__ void im2col_nhwc_kernel(const std::uint16_t* __restrict__ src, im2col_geometry g,
                                   unsigned total, uint4* __restrict__ col) {
  const unsigned vectors = static_cast<unsigned>(g.ldk / vec);
  for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
    const unsigned row = i / vectors;
    const int first = static_cast<int>(i - row * vectors) * vec;
    const unsigned rest = row / static_cast<unsigned>(g.out_w);
    const int ow = static_cast<int>(row - rest * static_cast<unsigned>(g.out_w));
    const unsigned img = rest / static_cast<unsigned>(g.out_h);
    const int oh = static_cast<int>(rest - img * static_cast<unsigned>(g.out_h));
    const std::uint16_t* image = src + static_cast<std::size_t>(img) * g.h * g.w * g.in;
    int c = first % g.in;
    const int rs = first / g.in;
    int s = rs % g.kernel;
    int r = rs / g.kernel;
    const int h0 = oh * g.stride - g.padding;
    const int w0 = ow * g.stride - g.padding;
    __align__(16) std::uint16_t v[vec];
#pragma unroll
    for (int j = 0; j < vec; ++j) {
      std::uint16_t x = 0;
      const int ih = h0 + r;
      const int iw = w0 + s;
      if (first + j < g.k && ih >= 0 && ih < g.h && iw >= 0 && iw < g.w) {
        x = __ldg(image + (ih * g.w + iw) * g.in + c);
      }
      v[j] = x;
      if (++c == g.in) {
        c = 0;
        if (++s == g.kernel) {
          s = 0;
          ++r;
        }
      }
    }
    col[i] = *reinterpret_cast<const uint4*>(v);
  }
}

__global__ void pad_rows_kernel(const std::uint16_t* __restrict__ src, int rows, int k, int ldk,
                                std::uint16_t* __restrict__ dst) {
  const long long total = static_cast<long long>(rows) * ldk;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long o = i / ldk;
    const int j = static_cast<int>(i % ldk);
    dst[i] = j < k ? src[o * k + j] : std::uint16_t{0};
  }
}

__global__ void sum_partials_kernel(const float* __restrict__ partial, int batches, int rows, int k,
                                    int ldk, __nv_bfloat16* __restrict__ dst) {
  const long long total = static_cast<long long>(rows) * k;
  const long long stride = static_cast<long long>(rows) * ldk;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long o = i / k;
    const int j = static_cast<int>(i % k);
    const float* p = partial + o * ldk + j;
    float sum = 0.0f;
    for (int b = 0; b < batches; ++b) sum += p[b * stride];
    dst[i] = __float2bfloat16_rn(sum);
  }
}

}  // namespace

void launch_im2col_nhwc(const void* src, const im2col_geometry& g, void* col, cudaStream_t stream) {
  SGP_ASSERT(g.ldk % vec == 0 && g.ldk >= g.k);
  const long long rows = static_cast<long long>(g.n) * g.out_h * g.out_w;
  const long long total = rows * (g.ldk / vec);
  SGP_ASSERT(total <= std::numeric_limits<unsigned>::max() / 2);
  SGP_ASSERT(static_cast<long long>(g.h) * g.w * g.in <= std::numeric_limits<int>::max());
  im2col_nhwc_kernel<<<grid_for(total), threads, 0, stream>>>(
      static_cast<const std::uint16_t*>(src), g, static_cast<unsigned>(total),
      static_cast<uint4*>(col));
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_pad_rows_bf16(const void* src, int rows, int k, int ldk, void* dst,
                          cudaStream_t stream) {
  pad_rows_kernel<<<grid_for(static_cast<long long>(rows) * ldk), threads, 0, stream>>>(
      static_cast<const std::uint16_t*>(src), rows, k, ldk, static_cast<std::uint16_t*>(dst));
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_sum_partials_bf16(const float* partial, int batches, int rows, int k, int ldk,
                              void* dst, cudaStream_t stream) {
  sum_partials_kernel<<<grid_for(static_cast<long long>(rows) * k), threads, 0, stream>>>(
      partial, batches, rows, k, ldk, static_cast<__nv_bfloat16*>(dst));
  SGP_CUDA_CHECK_LAUNCH();
}

}  // namespace sgp::gpu::cuda
