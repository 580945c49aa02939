// nhwc_kernels: grid-stride loops, one thread per output element (layout
// change, pooling where the channels are not a multiple of the vector width)
// or per 16-byte channel vector (max pooling, average pooling backward).
#include "gpu/cuda/nhwc_kernels.hpp"

#include <cuda_bf16.h>

#include <algorithm>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/nhwc_vector.cuh"

namespace sgp::gpu::cuda {
namespace {

using nhwc::from_float;
using nhwc::to_float;

constexpr int threads = 256;

int grid_for(long long n) {
  const long long blocks = (n + threads - 1) / threads;
  return static_cast<int>(std::clamp<long long>(blocks, 1, 132 * 16));
}

#define SGP_GRID_STRIDE(i, n)                                                                \
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<long long>(gridDim.x) * blockDim.x)

template <class T>
__global__ void nchw_to_nhwc_kernel(const float* __restrict__ src, int c, int hw, long long total,
                                    T* __restrict__ dst) {
  SGP_GRID_STRIDE(o, total) {
    const int ch = static_cast<int>(o % c);
    const long long pixel = o / c;
    const long long img = pixel / hw;
    const long long pos = pixel % hw;
    dst[o] = from_float<T>(src[(img * c + ch) * hw + pos]);
  }
}

/// Where element (or channel vector) i of an NHWC tensor of `groups`
/// channel groups per pixel, `w` columns and `h` rows lies.
struct nhwc_position {
  int group;
  int w;
  int h;
  long long img;
};

__device__ __forceinline__ nhwc_position position_of(long long i, int groups, int w, int h) {
  nhwc_position p;
  p.group = static_cast<int>(i % groups);
  long long rest = i / groups;
  p.w = static_cast<int>(rest % w);
  rest /= w;
  p.h = static_cast<int>(rest % h);
  p.img = rest / h;
  return p;
}

/// The max-pool outputs whose window holds input (h, w): rows oh_lo..oh_hi,
/// columns ow_lo..ow_hi (oh*s - p <= h <= oh*s - p + k - 1), and the padded
/// input position (hp, wp) that gives each window's arg-max index.
struct pool_window {
  int hp, wp, oh_lo, oh_hi, ow_lo, ow_hi;
};

__device__ __forceinline__ pool_window window_of(const pool_geometry& g, int h, int w) {
  pool_window o;
  o.hp = h + g.padding;
  o.wp = w + g.padding;
  o.oh_lo = o.hp - g.kernel + 1 > 0 ? (o.hp - g.kernel + g.stride) / g.stride : 0;
  o.oh_hi = min(g.out_h - 1, o.hp / g.stride);
  o.ow_lo = o.wp - g.kernel + 1 > 0 ? (o.wp - g.kernel + g.stride) / g.stride : 0;
  o.ow_hi = min(g.out_w - 1, o.wp / g.stride);
  return o;
}

template <class T>
__global__ void max_pool_forward_kernel(const T* __restrict__ x, pool_geometry g, long long total,
                                        T* __restrict__ y, std::uint8_t* __restrict__ argmax) {
  SGP_GRID_STRIDE(o, total) {
    const auto at = position_of(o, g.c, g.out_w, g.out_h);
    const int ch = at.group;
    const long long img = at.img;
    const int h0 = at.h * g.stride - g.padding;
    const int w0 = at.w * g.stride - g.padding;
    float best = -INFINITY;
    int arg = 0;
    for (int kh = 0; kh < g.kernel; ++kh) {
      const int h = h0 + kh;
      if (h < 0 || h >= g.h) continue;
      for (int kw = 0; kw < g.kernel; ++kw) {
        const int w = w0 + kw;
        if (w < 0 || w >= g.w) continue;
        const float v = to_float(x[((img * g.h + h) * g.w + w) * g.c + ch]);
        if (v > best) {
          best = v;
          arg = kh * g.kernel + kw;
        }
      }
    }
    y[o] = from_float<T>(best);
    argmax[o] = static_cast<std::uint8_t>(arg);
  }
}

/// Gathers, for each input element, the gradients of the windows it won:
/// deterministic and free of atomics.
template <class T>
__global__ void max_pool_backward_kernel(const T* __restrict__ dy,
                                         const std::uint8_t* __restrict__ argmax, pool_geometry g,
                                         long long total, T* __restrict__ dx) {
  SGP_GRID_STRIDE(i, total) {
    const auto at = position_of(i, g.c, g.w, g.h);
    const int ch = at.group;
    const auto win = window_of(g, at.h, at.w);
    float sum = 0.0f;
    for (int oh = win.oh_lo; oh <= win.oh_hi; ++oh) {
      for (int ow = win.ow_lo; ow <= win.ow_hi; ++ow) {
        const long long o = ((at.img * g.out_h + oh) * g.out_w + ow) * g.c + ch;
        const int pos = (win.hp - oh * g.stride) * g.kernel + (win.wp - ow * g.stride);
        if (argmax[o] == pos) sum += to_float(dy[o]);
      }
    }
    dx[i] = from_float<T>(sum);
  }
}

/// The same max pooling over a vector of width<T> channels per thread (c a
/// multiple of the width): the index arithmetic and the window's loads are
/// shared by the vector's channels. Same comparisons, same order, so the
/// same results and argmax as the scalar kernel.
template <class T>
__global__ void max_pool_forward_vec_kernel(const T* __restrict__ x, pool_geometry g,
                                            long long vectors, T* __restrict__ y,
                                            std::uint8_t* __restrict__ argmax) {
  constexpr int V = nhwc::width<T>::value;
  const int groups = g.c / V;
  SGP_GRID_STRIDE(o, vectors) {
    const auto at = position_of(o, groups, g.out_w, g.out_h);
    const int ch = at.group * V;
    const long long img = at.img;
    const int h0 = at.h * g.stride - g.padding;
    const int w0 = at.w * g.stride - g.padding;
    float best[V];
    std::uint8_t arg[V];
#pragma unroll
    for (int j = 0; j < V; ++j) {
      best[j] = -INFINITY;
      arg[j] = 0;
    }
    for (int kh = 0; kh < g.kernel; ++kh) {
      const int h = h0 + kh;
      if (h < 0 || h >= g.h) continue;
      for (int kw = 0; kw < g.kernel; ++kw) {
        const int w = w0 + kw;
        if (w < 0 || w >= g.w) continue;
        float v[V];
        nhwc::load(x + ((img * g.h + h) * g.w + w) * g.c + ch, v);
        const auto pos = static_cast<std::uint8_t>(kh * g.kernel + kw);
#pragma unroll
        for (int j = 0; j < V; ++j) {
          if (v[j] > best[j]) {
            best[j] = v[j];
            arg[j] = pos;
          }
        }
      }
    }
    const long long out = o * V;
    nhwc::store(y + out, best);
#pragma unroll
    for (int j = 0; j < V; ++j) argmax[out + j] = arg[j];
  }
}

/// The backward over a vector of channels per thread (c a multiple of the
/// width); sums in the scalar kernel's order.
template <class T>
__global__ void max_pool_backward_vec_kernel(const T* __restrict__ dy,
                                             const std::uint8_t* __restrict__ argmax,
                                             pool_geometry g, long long vectors,
                                             T* __restrict__ dx) {
  constexpr int V = nhwc::width<T>::value;
  const int groups = g.c / V;
  SGP_GRID_STRIDE(i, vectors) {
    const auto at = position_of(i, groups, g.w, g.h);
    const int ch = at.group * V;
    const auto win = window_of(g, at.h, at.w);
    float sum[V] = {};
    for (int oh = win.oh_lo; oh <= win.oh_hi; ++oh) {
      for (int ow = win.ow_lo; ow <= win.ow_hi; ++ow) {
        const long long o = ((at.img * g.out_h + oh) * g.out_w + ow) * g.c + ch;
        const int pos = (win.hp - oh * g.stride) * g.kernel + (win.wp - ow * g.stride);
        float d[V];
        nhwc::load(dy + o, d);
#pragma unroll
        for (int j = 0; j < V; ++j) {
          if (argmax[o + j] == pos) sum[j] += d[j];
        }
      }
    }
    nhwc::store(dx + i * V, sum);
  }
}

template <class T>
__global__ void avg_pool_forward_kernel(const T* __restrict__ x, int hw, int c, long long total,
                                        float* __restrict__ y) {
  SGP_GRID_STRIDE(o, total) {
    const int ch = static_cast<int>(o % c);
    const long long img = o / c;
    const T* p = x + img * hw * c + ch;
    float sum = 0.0f;
    for (int i = 0; i < hw; ++i) sum += to_float(p[static_cast<long long>(i) * c]);
    y[o] = sum / static_cast<float>(hw);
  }
}

template <class T>
__global__ void avg_pool_backward_kernel(const float* __restrict__ dy, int hw, int c,
                                         long long vectors, T* __restrict__ dx) {
  constexpr int V = nhwc::width<T>::value;
  const float inv = 1.0f / static_cast<float>(hw);
  SGP_GRID_STRIDE(i, vectors) {
    const long long base = i * V;
    const int ch = static_cast<int>(base % c);
    const long long img = base / (static_cast<long long>(hw) * c);
    float v[V];
#pragma unroll
    for (int j = 0; j < V; ++j) v[j] = dy[img * c + ch + j] * inv;
    nhwc::store(dx + base, v);
  }
}

#undef SGP_GRID_STRIDE

}  // namespace

void launch_nchw_to_nhwc(act_dtype t, const float* src, int n, int c, int h, int w, void* dst,
                         cudaStream_t stream) {
  const long long total = static_cast<long long>(n) * c * h * w;
  if (t == act_dtype::f32) {
    nchw_to_nhwc_kernel<float>
        <<<grid_for(total), threads, 0, stream>>>(src, c, h * w, total, static_cast<float*>(dst));
  } else {
    nchw_to_nhwc_kernel<__nv_bfloat16><<<grid_for(total), threads, 0, stream>>>(
        src, c, h * w, total, static_cast<__nv_bfloat16*>(dst));
  }
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_max_pool_forward(act_dtype t, const void* x, const pool_geometry& g, void* y,
                             std::uint8_t* argmax, cudaStream_t stream) {
  SGP_ASSERT(g.kernel * g.kernel <= 255);
  const long long total = static_cast<long long>(g.n) * g.out_h * g.out_w * g.c;
  const int v = vector_width(t);
  if (g.c % v == 0) {
    const long long vectors = total / v;
    if (t == act_dtype::f32) {
      max_pool_forward_vec_kernel<float><<<grid_for(vectors), threads, 0, stream>>>(
          static_cast<const float*>(x), g, vectors, static_cast<float*>(y), argmax);
    } else {
      max_pool_forward_vec_kernel<__nv_bfloat16><<<grid_for(vectors), threads, 0, stream>>>(
          static_cast<const __nv_bfloat16*>(x), g, vectors, static_cast<__nv_bfloat16*>(y), argmax);
    }
  } else if (t == act_dtype::f32) {
    max_pool_forward_kernel<float><<<grid_for(total), threads, 0, stream>>>(
        static_cast<const float*>(x), g, total, static_cast<float*>(y), argmax);
  } else {
    max_pool_forward_kernel<__nv_bfloat16><<<grid_for(total), threads, 0, stream>>>(
        static_cast<const __nv_bfloat16*>(x), g, total, static_cast<__nv_bfloat16*>(y), argmax);
  }
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_max_pool_backward(act_dtype t, const void* dy, const std::uint8_t* argmax,
                              const pool_geometry& g, void* dx, cudaStream_t stream) {
  const long long total = static_cast<long long>(g.n) * g.h * g.w * g.c;
  const int v = vector_width(t);
  if (g.c % v == 0) {
    const long long vectors = total / v;
    if (t == act_dtype::f32) {
      max_pool_backward_vec_kernel<float><<<grid_for(vectors), threads, 0, stream>>>(
          static_cast<const float*>(dy), argmax, g, vectors, static_cast<float*>(dx));
    } else {
      max_pool_backward_vec_kernel<__nv_bfloat16>
          <<<grid_for(vectors), threads, 0, stream>>>(static_cast<const __nv_bfloat16*>(dy), argmax,
                                                      g, vectors, static_cast<__nv_bfloat16*>(dx));
    }
  } else if (t == act_dtype::f32) {
    max_pool_backward_kernel<float><<<grid_for(total), threads, 0, stream>>>(
        static_cast<const float*>(dy), argmax, g, total, static_cast<float*>(dx));
  } else {
    max_pool_backward_kernel<__nv_bfloat16><<<grid_for(total), threads, 0, stream>>>(
        static_cast<const __nv_bfloat16*>(dy), argmax, g, total, static_cast<__nv_bfloat16*>(dx));
  }
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_global_avg_pool_forward(act_dtype t, const void* x, int n, int hw, int c, float* y,
                                    cudaStream_t stream) {
  const long long total = static_cast<long long>(n) * c;
  if (t == act_dtype::f32) {
    avg_pool_forward_kernel<float>
        <<<grid_for(total), threads, 0, stream>>>(static_cast<const float*>(x), hw, c, total, y);
  } else {
    avg_pool_forward_kernel<__nv_bfloat16><<<grid_for(total), threads, 0, stream>>>(
        static_cast<const __nv_bfloat16*>(x), hw, c, total, y);
  }
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_global_avg_pool_backward(act_dtype t, const float* dy, int n, int hw, int c, void* dx,
                                     cudaStream_t stream) {
  SGP_ASSERT(c % vector_width(t) == 0);
  const long long vectors = static_cast<long long>(n) * hw * c / vector_width(t);
  if (t == act_dtype::f32) {
    avg_pool_backward_kernel<float>
        <<<grid_for(vectors), threads, 0, stream>>>(dy, hw, c, vectors, static_cast<float*>(dx));
  } else {
    avg_pool_backward_kernel<__nv_bfloat16><<<grid_for(vectors), threads, 0, stream>>>(
        dy, hw, c, vectors, static_cast<__nv_bfloat16*>(dx));
  }
  SGP_CUDA_CHECK_LAUNCH();
}

}  // namespace sgp::gpu::cuda
