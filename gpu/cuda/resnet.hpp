// ResNet-18 and ResNet-50 (torchvision's architecture) as one CUDA layer:
// fp32 NCHW images in, fp32 {n, features} globally pooled features out, so
// that the classifier (a linear layer) and the loss are the network's usual
// ones. Inside: channels-last activations in bf16 (or fp32, the reference
// mode), cuDNN convolutions, our fused batch-norm kernels.
#pragma once

#include <memory>
#include <string>

#include "gpu/cuda/act_dtype.hpp"
#include "gpu/cuda/layer.hpp"

namespace sgp::gpu::cuda {

/// Output features of the body: 512 for ResNet-18, 2048 for ResNet-50.
[[nodiscard]] int resnet_features(int depth);

/// The body of ResNet-`depth` (18 or 50) on `in_channels`-channel images:
/// 7x7/2 stem conv + BN + ReLU + 3x3/2 max pool, four stages of basic (18)
/// or bottleneck (50) blocks with projection shortcuts where the stride or
/// width change, global average pool. Parameter names follow torchvision
/// ("conv1.weight", "layer1.0.bn2.bias", "layer2.0.downsample.0.weight"),
/// after the layer's name. Conv weights are stored [out, kh, kw, in]
/// (channels-last, KRSC) in the flat vector, and all of them contiguously,
/// so one flat cast makes the bf16 compute copy. The last BN of each block
/// starts with scale 0 (adjust_initial_params), as torchvision's
/// zero_init_residual.
std::unique_ptr<layer> make_resnet_body(std::string name, int depth, int in_channels, act_dtype t);

}  // namespace sgp::gpu::cuda
