// bn_nhwc_kernels: the reductions use 256-thread blocks whose threads each
// own one 16-byte vector of channels (threadIdx % gx) and stride over rows
// (threadIdx / gx, then the row splits in blockIdx.y); the elementwise
// passes are grid-stride loops over 16-byte vectors.
#include "gpu/cuda/bn_nhwc_kernels.hpp"

#include <algorithm>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/nhwc_vector.cuh"

namespace sgp::gpu::cuda {
namespace {

using nhwc::load;
using nhwc::store;
using nhwc::width;

constexpr int threads = 256;
constexpr double epsilon = 1e-5;
constexpr double momentum = 0.1;
/// About four blocks per SM of an H100 for the reductions.
constexpr int reduction_blocks = 4 * 132;

int channels_per_block(int groups) {
  return std::min(groups, threads);
}

int elementwise_grid(long long vectors) {
  const long long blocks = (vectors + threads - 1) / threads;
  return static_cast<int>(std::clamp<long long>(blocks, 1, 132 * 16));
}

/// Sums each thread's V-channel accumulators over the rows of the block and
/// writes them to out_a / out_b at this block's split.
template <int V>
__device__ void block_reduce_write(const float (&a)[V], const float (&b)[V], int gx, int ch,
                                   float* out_a, float* out_b) {
  __shared__ float sa[threads * 8];
  __shared__ float sb[threads * 8];
#pragma unroll
  for (int i = 0; i < V; ++i) {
    sa[threadIdx.x * V + i] = a[i];
    sb[threadIdx.x * V + i] = b[i];
  }
  __syncthreads();
  const int tx = threadIdx.x % gx;
  if (threadIdx.x >= gx) return;
  const int rows_in_block = threads / gx;
  for (int i = 0; i < V; ++i) {
    float ta = 0.0f;
    float tb = 0.0f;
    for (int t = 0; t < rows_in_block; ++t) {
      ta += sa[(t * gx + tx) * V + i];
      tb += sb[(t * gx + tx) * V + i];
    }
    out_a[ch + i] = ta;
    out_b[ch + i] = tb;
  }
}

template <class T>
__global__ void __launch_bounds__(threads)
    stats_kernel(const T* __restrict__ x, long long rows, int c, float* __restrict__ partial) {
  constexpr int V = width<T>::value;
  const int gx = min(c / V, threads);
  const int rows_in_block = threads / gx;
  const int ch = (blockIdx.x * gx + threadIdx.x % gx) * V;
  float s[V] = {};
  float q[V] = {};
  const long long step = static_cast<long long>(gridDim.y) * rows_in_block;
  for (long long r = static_cast<long long>(blockIdx.y) * rows_in_block + threadIdx.x / gx;
       r < rows; r += step) {
    float v[V];
    load(x + r * c + ch, v);
#pragma unroll
    for (int i = 0; i < V; ++i) {
      s[i] += v[i];
      q[i] += v[i] * v[i];
    }
  }
  const long long plane = static_cast<long long>(gridDim.y) * c;
  block_reduce_write<V>(s, q, gx, ch, partial + static_cast<long long>(blockIdx.y) * c,
                        partial + plane + static_cast<long long>(blockIdx.y) * c);
}

/// The finalize kernels: 16 channels per block, 16 lanes per channel that
/// each sum every 16th split in double, then one fixed-order sum over the
/// lanes (deterministic). One thread per channel summing all ~500 splits
/// serially took 60 us per layer on an H200, 3.4 ms per ResNet-50 step.
constexpr int finalize_channels = 16;
constexpr int finalize_lanes = 16;
constexpr int finalize_threads = finalize_channels * finalize_lanes;

int finalize_blocks(int c) {
  return (c + finalize_channels - 1) / finalize_channels;
}

/// Sums planes a and b ([splits][c] each, b after a) over the splits for
/// this thread's channel; valid in lane 0 (threadIdx.x < finalize_channels).
/// Every thread of the block must call it.
__device__ void sum_splits(const float* __restrict__ partial, int splits, int c, int ch, double& a,
                           double& b) {
  __shared__ double sa[finalize_threads];
  __shared__ double sb[finalize_threads];
  const int lane = threadIdx.x / finalize_channels;
  double ta = 0.0;
  double tb = 0.0;
  if (ch < c) {
    for (int sp = lane; sp < splits; sp += finalize_lanes) {
      ta += partial[static_cast<long long>(sp) * c + ch];
      tb += partial[static_cast<long long>(splits + sp) * c + ch];
    }
  }
  sa[threadIdx.x] = ta;
  sb[threadIdx.x] = tb;
  __syncthreads();
  a = 0.0;
  b = 0.0;
  if (lane == 0) {
    for (int l = 0; l < finalize_lanes; ++l) {
      a += sa[l * finalize_channels + threadIdx.x];
      b += sb[l * finalize_channels + threadIdx.x];
    }
  }
}

__global__ void __launch_bounds__(finalize_threads)
    forward_finalize_kernel(const float* __restrict__ partial, int splits, int c, long long rows,
                            const float* __restrict__ gamma, const float* __restrict__ beta,
                            float* running_mean, float* running_var, float* __restrict__ saved) {
  const int ch = blockIdx.x * finalize_channels + threadIdx.x % finalize_channels;
  double s = 0.0;
  double q = 0.0;
  sum_splits(partial, splits, c, ch, s, q);
  if (threadIdx.x >= finalize_channels || ch >= c) return;
  const double mean = s / static_cast<double>(rows);
  const double var = fmax(q / static_cast<double>(rows) - mean * mean, 0.0);
  const double invstd = 1.0 / sqrt(var + epsilon);
  const double scale = gamma[ch] * invstd;
  saved[ch] = static_cast<float>(mean);
  saved[c + ch] = static_cast<float>(invstd);
  saved[2 * c + ch] = static_cast<float>(scale);
  saved[3 * c + ch] = static_cast<float>(beta[ch] - mean * scale);
  const double unbiased = rows > 1 ? var * rows / static_cast<double>(rows - 1) : var;
  running_mean[ch] = static_cast<float>((1.0 - momentum) * running_mean[ch] + momentum * mean);
  running_var[ch] = static_cast<float>((1.0 - momentum) * running_var[ch] + momentum * unbiased);
}

__global__ void inference_coefs_kernel(int c, const float* __restrict__ gamma,
                                       const float* __restrict__ beta,
                                       const float* __restrict__ running_mean,
                                       const float* __restrict__ running_var,
                                       float* __restrict__ saved) {
  const int ch = blockIdx.x * blockDim.x + threadIdx.x;
  if (ch >= c) return;
  const double invstd = 1.0 / sqrt(static_cast<double>(running_var[ch]) + epsilon);
  const double scale = gamma[ch] * invstd;
  saved[ch] = running_mean[ch];
  saved[c + ch] = static_cast<float>(invstd);
  saved[2 * c + ch] = static_cast<float>(scale);
  saved[3 * c + ch] = static_cast<float>(beta[ch] - running_mean[ch] * scale);
}

/// V per-channel floats at p (16-byte aligned: p is a plane of c floats at
/// a channel that is a multiple of V, and V is a multiple of 4).
template <int V>
__device__ __forceinline__ void load_coefs(const float* __restrict__ p, float (&out)[V]) {
  static_assert(V % 4 == 0);
#pragma unroll
  for (int i = 0; i < V; i += 4) {
    const float4 v = *reinterpret_cast<const float4*>(p + i);
    out[i] = v.x;
    out[i + 1] = v.y;
    out[i + 2] = v.z;
    out[i + 3] = v.w;
  }
}

/// The channel of the first element of vector i and, for a grid-stride
/// loop, how far it moves per stride: 32-bit arithmetic per iteration
/// instead of a 64-bit remainder.
struct channel_walk {
  int ch;
  int advance;
  int c;
  __device__ channel_walk(long long first_vector, long long stride_vectors, int v, int c_)
      : ch(static_cast<int>((first_vector * v) % c_)),
        advance(static_cast<int>((stride_vectors * v) % c_)),
        c(c_) {}
  __device__ void next() {
    ch += advance;
    if (ch >= c) ch -= c;
  }
};

template <class T>
__global__ void apply_kernel(const T* __restrict__ x, const T* __restrict__ z, bool relu,
                             const float* __restrict__ saved, long long vectors, int c,
                             T* __restrict__ y) {
  constexpr int V = width<T>::value;
  const long long step = static_cast<long long>(gridDim.x) * blockDim.x;
  const long long first = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  channel_walk walk(first, step, V, c);
  for (long long i = first; i < vectors; i += step, walk.next()) {
    const long long base = i * V;
    const int ch = walk.ch;
    float scale[V];
    float shift[V];
    load_coefs<V>(saved + 2 * c + ch, scale);
    load_coefs<V>(saved + 3 * c + ch, shift);
    float v[V];
    load(x + base, v);
    float zv[V] = {};
    if (z != nullptr) load(z + base, zv);
#pragma unroll
    for (int j = 0; j < V; ++j) {
      float o = v[j] * scale[j] + shift[j] + zv[j];
      v[j] = relu ? fmaxf(o, 0.0f) : o;
    }
    store(y + base, v);
  }
}

/// g = dy masked by y > 0 (when y is given).
template <class T, int V>
__device__ __forceinline__ void masked_grad(const T* y, const T* dy, long long base,
                                            float (&g)[V]) {
  load(dy + base, g);
  if (y != nullptr) {
    float yv[V];
    load(y + base, yv);
#pragma unroll
    for (int j = 0; j < V; ++j) g[j] = yv[j] > 0.0f ? g[j] : 0.0f;
  }
}

template <class T>
__global__ void __launch_bounds__(threads)
    backward_reduce_kernel(const T* __restrict__ x, const T* __restrict__ y,
                           const T* __restrict__ dy, long long rows, int c,
                           const float* __restrict__ saved, float* __restrict__ partial) {
  constexpr int V = width<T>::value;
  const int gx = min(c / V, threads);
  const int rows_in_block = threads / gx;
  const int ch = (blockIdx.x * gx + threadIdx.x % gx) * V;
  float mean[V];
  float invstd[V];
#pragma unroll
  for (int i = 0; i < V; ++i) {
    mean[i] = saved[ch + i];
    invstd[i] = saved[c + ch + i];
  }
  float sg[V] = {};
  float sgx[V] = {};
  const long long step = static_cast<long long>(gridDim.y) * rows_in_block;
  for (long long r = static_cast<long long>(blockIdx.y) * rows_in_block + threadIdx.x / gx;
       r < rows; r += step) {
    const long long base = r * c + ch;
    float g[V];
    masked_grad<T, V>(y, dy, base, g);
    float xv[V];
    load(x + base, xv);
#pragma unroll
    for (int i = 0; i < V; ++i) {
      sg[i] += g[i];
      sgx[i] += g[i] * (xv[i] - mean[i]) * invstd[i];
    }
  }
  const long long plane = static_cast<long long>(gridDim.y) * c;
  block_reduce_write<V>(sg, sgx, gx, ch, partial + static_cast<long long>(blockIdx.y) * c,
                        partial + plane + static_cast<long long>(blockIdx.y) * c);
}

__global__ void __launch_bounds__(finalize_threads)
    backward_finalize_kernel(const float* __restrict__ partial, int splits, int c, long long rows,
                             const float* __restrict__ gamma, const float* __restrict__ saved,
                             float* __restrict__ coef, float* __restrict__ d_gamma,
                             float* __restrict__ d_beta) {
  const int ch = blockIdx.x * finalize_channels + threadIdx.x % finalize_channels;
  double sg = 0.0;
  double sgx = 0.0;
  sum_splits(partial, splits, c, ch, sg, sgx);
  if (threadIdx.x >= finalize_channels || ch >= c) return;
  d_beta[ch] = static_cast<float>(sg);
  d_gamma[ch] = static_cast<float>(sgx);
  coef[ch] = gamma[ch] * saved[c + ch];
  coef[c + ch] = static_cast<float>(sg / static_cast<double>(rows));
  coef[2 * c + ch] = static_cast<float>(sgx / static_cast<double>(rows));
}

template <class T>
__global__ void backward_dx_kernel(const T* __restrict__ x, const T* __restrict__ y,
                                   const T* __restrict__ dy, const float* __restrict__ saved,
                                   const float* __restrict__ coef, long long vectors, int c,
                                   T* __restrict__ dx, T* __restrict__ dz) {
  constexpr int V = width<T>::value;
  const long long step = static_cast<long long>(gridDim.x) * blockDim.x;
  const long long first = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  channel_walk walk(first, step, V, c);
  for (long long i = first; i < vectors; i += step, walk.next()) {
    const long long base = i * V;
    const int ch = walk.ch;
    float g[V];
    masked_grad<T, V>(y, dy, base, g);
    if (dz != nullptr) store(dz + base, g);
    float xv[V];
    load(x + base, xv);
    float mean[V];
    float invstd[V];
    float k0[V];
    float k1[V];
    float k2[V];
    load_coefs<V>(saved + ch, mean);
    load_coefs<V>(saved + c + ch, invstd);
    load_coefs<V>(coef + ch, k0);
    load_coefs<V>(coef + c + ch, k1);
    load_coefs<V>(coef + 2 * c + ch, k2);
#pragma unroll
    for (int j = 0; j < V; ++j) {
      const float xhat = (xv[j] - mean[j]) * invstd[j];
      xv[j] = k0[j] * (g[j] - k1[j] - xhat * k2[j]);
    }
    store(dx + base, xv);
  }
}

template <class T>
dim3 reduction_grid(const bn_geometry& g) {
  const int groups = g.channels / width<T>::value;
  return dim3(static_cast<unsigned>(groups / channels_per_block(groups)),
              static_cast<unsigned>(g.splits));
}

template <class T>
void forward_stats(const void* x, const bn_geometry& g, float* partial, cudaStream_t s) {
  stats_kernel<T><<<reduction_grid<T>(g), threads, 0, s>>>(static_cast<const T*>(x), g.rows,
                                                           g.channels, partial);
  SGP_CUDA_CHECK_LAUNCH();
}

template <class T>
void apply(const void* x, const void* z, bool relu, const float* saved, const bn_geometry& g,
           void* y, cudaStream_t s) {
  const long long vectors = g.rows * g.channels / width<T>::value;
  apply_kernel<T><<<elementwise_grid(vectors), threads, 0, s>>>(
      static_cast<const T*>(x), static_cast<const T*>(z), relu, saved, vectors, g.channels,
      static_cast<T*>(y));
  SGP_CUDA_CHECK_LAUNCH();
}

template <class T>
void backward(const void* x, const void* y, const void* dy, const bn_geometry& g,
              const float* gamma, const float* saved, float* partial, float* coef, float* d_gamma,
              float* d_beta, void* dx, void* dz, cudaStream_t s) {
  const T* xt = static_cast<const T*>(x);
  const T* yt = static_cast<const T*>(y);
  const T* dyt = static_cast<const T*>(dy);
  backward_reduce_kernel<T>
      <<<reduction_grid<T>(g), threads, 0, s>>>(xt, yt, dyt, g.rows, g.channels, saved, partial);
  SGP_CUDA_CHECK_LAUNCH();
  backward_finalize_kernel<<<finalize_blocks(g.channels), finalize_threads, 0, s>>>(
      partial, g.splits, g.channels, g.rows, gamma, saved, coef, d_gamma, d_beta);
  SGP_CUDA_CHECK_LAUNCH();
  const long long vectors = g.rows * g.channels / width<T>::value;
  backward_dx_kernel<T><<<elementwise_grid(vectors), threads, 0, s>>>(
      xt, yt, dyt, saved, coef, vectors, g.channels, static_cast<T*>(dx), static_cast<T*>(dz));
  SGP_CUDA_CHECK_LAUNCH();
}

}  // namespace

bn_geometry make_bn_geometry(act_dtype t, long long rows, int channels) {
  const int v = vector_width(t);
  SGP_ASSERT(rows > 0 && channels > 0 && channels % v == 0);
  const int groups = channels / v;
  const int gx = channels_per_block(groups);
  // Blocks cover whole rows of channels: gx divides both.
  SGP_ASSERT(threads % gx == 0 && groups % gx == 0);
  const int chunks = groups / gx;
  const long long rows_in_block = threads / gx;
  const long long max_splits = (rows + rows_in_block - 1) / rows_in_block;
  const long long wanted = (reduction_blocks + chunks - 1) / chunks;
  return {rows, channels, static_cast<int>(std::clamp<long long>(wanted, 1, max_splits))};
}

void launch_bn_forward_stats(act_dtype t, const void* x, const bn_geometry& g, const float* gamma,
                             const float* beta, float* running_mean, float* running_var,
                             float* partial, float* saved, cudaStream_t stream) {
  if (t == act_dtype::f32) {
    forward_stats<float>(x, g, partial, stream);
  } else {
    forward_stats<__nv_bfloat16>(x, g, partial, stream);
  }
  forward_finalize_kernel<<<finalize_blocks(g.channels), finalize_threads, 0, stream>>>(
      partial, g.splits, g.channels, g.rows, gamma, beta, running_mean, running_var, saved);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_bn_inference_coefs(int channels, const float* gamma, const float* beta,
                               const float* running_mean, const float* running_var, float* saved,
                               cudaStream_t stream) {
  inference_coefs_kernel<<<(channels + 127) / 128, 128, 0, stream>>>(
      channels, gamma, beta, running_mean, running_var, saved);
  SGP_CUDA_CHECK_LAUNCH();
}

void launch_bn_apply(act_dtype t, const void* x, const void* z, bool relu, const float* saved,
                     const bn_geometry& g, void* y, cudaStream_t stream) {
  if (t == act_dtype::f32) {
    apply<float>(x, z, relu, saved, g, y, stream);
  } else {
    apply<__nv_bfloat16>(x, z, relu, saved, g, y, stream);
  }
}

void launch_bn_backward(act_dtype t, const void* x, const void* y, const void* dy,
                        const bn_geometry& g, const float* gamma, const float* saved,
                        float* partial, float* coef, float* d_gamma, float* d_beta, void* dx,
                        void* dz, cudaStream_t stream) {
  if (t == act_dtype::f32) {
    backward<float>(x, y, dy, g, gamma, saved, partial, coef, d_gamma, d_beta, dx, dz, stream);
  } else {
    backward<__nv_bfloat16>(x, y, dy, g, gamma, saved, partial, coef, d_gamma, d_beta, dx, dz,
                            stream);
  }
}

}  // namespace sgp::gpu::cuda
