// The kernels of a convolution computed as an explicit GEMM over a column
// matrix (gpu/cuda/im2col_conv.hpp), for inputs with few channels (a
// ResNet's 3-channel stem), where cuDNN has no fast kernel.
#pragma once

#include <cuda_runtime.h>

#include "gpu/cuda/layer.hpp"

namespace sgp::gpu::cuda {

/// The geometry of an im2col convolution: an NHWC input of `in` channels,
/// square kernel, symmetric padding, and K = kernel² · in columns padded to
/// `ldk` (a multiple of 8: 16-byte rows of bf16), on an NHWC bf16 input.
struct im2col_geometry {
  int n, in, h, w;
  int kernel, stride, padding;
  int out_h, out_w;
  int k, ldk;
};

/// col[(img, oh, ow), (r, s, c)] = src[img, oh·stride − padding + r,
/// ow·stride − padding + s, c] (0 outside the image and in the padding
/// columns k..ldk): rows of ldk bf16, one per output pixel, in NHWC order,
/// and columns in the KRSC order of the filter. For a fixed r a row's
/// columns are consecutive elements of src, so a warp's reads are compact.
void launch_im2col_nhwc(const void* src, const im2col_geometry& g, void* col, cudaStream_t stream);

/// dst[o, j] = j < k ? src[o, j] : 0 for `rows` rows: a KRSC bf16 filter of
/// K columns padded to ldk.
void launch_pad_rows_bf16(const void* src, int rows, int k, int ldk, void* dst,
                          cudaStream_t stream);

/// dst[o, j] = bf16(Σ_b partial[b, o, j]) for j < k, summed in b order:
/// `batches` partial filter gradients [rows, ldk] (fp32) into one KRSC bf16
/// filter gradient [rows, k].
void launch_sum_partials_bf16(const float* partial, int batches, int rows, int k, int ldk,
                              void* dst, cudaStream_t stream);

}  // namespace sgp::gpu::cuda
