// softmax_xent: one block, one warp per row (rows strided over the warps),
// log-sum-exp in double as the CPU oracle computes it, then a block reduction
// in a fixed order. Batches are at most a few thousand rows, so one block is
// enough and needs no zeroed accumulator (one launch, graph-friendly).
#include "gpu/cuda/softmax_xent.hpp"

#include <cfloat>

#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {
namespace {

constexpr int warps = 32;

__device__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__device__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__global__ void __launch_bounds__(warps * 32)
    softmax_xent_kernel(const float* __restrict__ logits, const std::int32_t* __restrict__ labels,
                        int n, int classes, float* __restrict__ grad, xent_totals* totals) {
  __shared__ double loss_part[warps];
  __shared__ long long correct_part[warps];
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
  const double inv_n = 1.0 / n;
  double loss = 0.0;
  long long correct = 0;
  for (int row = warp; row < n; row += warps) {
    const float* r = logits + static_cast<long long>(row) * classes;
    const int label = labels[row];
    float max = -FLT_MAX;
    int arg = classes;
    for (int k = lane; k < classes; k += 32) {
      const float v = r[k];
      if (v > max) {
        max = v;
        arg = k;
      }
    }
    const float row_max = warp_max(max);
    // First index holding the maximum, as std::max_element picks.
    int first = (max == row_max) ? arg : classes;
    for (int o = 16; o > 0; o >>= 1) first = min(first, __shfl_xor_sync(0xffffffffu, first, o));
    double sum = 0.0;
    for (int k = lane; k < classes; k += 32) sum += exp(static_cast<double>(r[k] - row_max));
    const double lse = static_cast<double>(row_max) + log(warp_sum(sum));
    if (lane == 0) {
      loss += lse - r[label];
      correct += first == label ? 1 : 0;
    }
    if (grad != nullptr) {
      float* g = grad + static_cast<long long>(row) * classes;
      for (int k = lane; k < classes; k += 32) {
        const double p = exp(static_cast<double>(r[k]) - lse);
        g[k] = static_cast<float>((p - (k == label ? 1.0 : 0.0)) * inv_n);
      }
    }
  }
  if (lane == 0) {
    loss_part[warp] = loss;
    correct_part[warp] = correct;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    double l = 0.0;
    long long c = 0;
    for (int w = 0; w < warps; ++w) {
      l += loss_part[w];
      c += correct_part[w];
    }
    totals->loss_sum = l;
    totals->correct = c;
  }
}

}  // namespace

void launch_softmax_xent(const float* logits, const std::int32_t* labels, int n, int classes,
                         float* grad, xent_totals* totals, cudaStream_t stream) {
  softmax_xent_kernel<<<1, warps * 32, 0, stream>>>(logits, labels, n, classes, grad, totals);
  SGP_CUDA_CHECK_LAUNCH();
}

}  // namespace sgp::gpu::cuda
