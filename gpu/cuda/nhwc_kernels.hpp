// The ResNet's data movement around cuDNN on channels-last (NHWC) tensors of
// fp32 or bf16: the input layout change, max pooling (with the arg-max kept
// for backward) and global average pooling (fp32 output for the classifier).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "gpu/cuda/act_dtype.hpp"

namespace sgp::gpu::cuda {

/// fp32 NCHW -> NHWC of type t (rounded to nearest even for bf16).
void launch_nchw_to_nhwc(act_dtype t, const float* src, int n, int c, int h, int w, void* dst,
                         cudaStream_t stream);

/// Window and output size of a max pooling on {n, h, w, c}: square window
/// `kernel`, `stride`, symmetric `padding` (padded cells never win).
struct pool_geometry {
  int n, h, w, c, kernel, stride, padding, out_h, out_w;
};

/// y = max over each window; argmax[i] = the winner's index in its window
/// (row-major, first maximum), one byte per output element (kernel <= 15).
void launch_max_pool_forward(act_dtype t, const void* x, const pool_geometry& g, void* y,
                             std::uint8_t* argmax, cudaStream_t stream);

/// dx = sum of the dy of the windows each input element won.
void launch_max_pool_backward(act_dtype t, const void* dy, const std::uint8_t* argmax,
                              const pool_geometry& g, void* dx, cudaStream_t stream);

/// y[n, c] = mean over hw positions of x[n, hw, c] (fp32 output).
void launch_global_avg_pool_forward(act_dtype t, const void* x, int n, int hw, int c, float* y,
                                    cudaStream_t stream);

/// dx[n, hw, c] = dy[n, c] / hw.
void launch_global_avg_pool_backward(act_dtype t, const float* dy, int n, int hw, int c, void* dx,
                                     cudaStream_t stream);

}  // namespace sgp::gpu::cuda
