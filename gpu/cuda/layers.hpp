// Factories for the CUDA layers (one .cpp per layer): linear on cuBLAS,
// convolution, batch norm and pooling on cuDNN, relu and flatten on our
// kernels. Weights are laid out as in PyTorch and in the CPU backend.
#pragma once

#include <memory>
#include <string>

#include "gpu/cuda/layer.hpp"

namespace sgp::gpu::cuda {

/// y = x W^T + b on {n, in} input (any NCHW input with c*h*w == in);
/// W is [out, in] row-major.
std::unique_ptr<layer> make_linear(std::string name, int in_features, int out_features);

/// Square-kernel convolution with bias, symmetric zero padding; W is
/// [out, in, k, k].
std::unique_ptr<layer> make_conv2d(std::string name, int in_channels, int out_channels, int kernel,
                                   int stride, int padding);

/// Spatial batch norm with PyTorch's semantics (eps 1e-5, momentum 0.1,
/// unbiased running variance). State: running mean (c) then variance (c).
std::unique_ptr<layer> make_batch_norm(std::string name, int channels);

/// Max pooling, square window, no padding.
std::unique_ptr<layer> make_max_pool2d(std::string name, int kernel, int stride);

/// max(x, 0).
std::unique_ptr<layer> make_relu(std::string name);

/// {n, c, h, w} -> {n, c*h*w}; free, since activations are contiguous NCHW.
std::unique_ptr<layer> make_flatten(std::string name);

}  // namespace sgp::gpu::cuda
