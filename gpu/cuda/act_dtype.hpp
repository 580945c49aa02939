// Element type of the channels-last (NHWC) activations of the ResNet path:
// fp32 (for checks against finite differences) or bf16 (the training
// precision). Host code passes such tensors as void pointers tagged with it.
#pragma once

#include <cudnn.h>

#include <cstddef>

namespace sgp::gpu::cuda {

/// Storage type of activations, activation gradients and the compute copy
/// of convolution weights. Statistics, master weights and their gradients
/// are fp32 in both.
enum class act_dtype { f32, bf16 };

/// Bytes per element.
[[nodiscard]] inline std::size_t dtype_bytes(act_dtype t) {
  return t == act_dtype::f32 ? 4 : 2;
}

/// The cuDNN data type.
[[nodiscard]] inline cudnnDataType_t cudnn_type(act_dtype t) {
  return t == act_dtype::f32 ? CUDNN_DATA_FLOAT : CUDNN_DATA_BFLOAT16;
}

/// Elements per 16-byte vector (the unit of our NHWC kernels).
[[nodiscard]] inline int vector_width(act_dtype t) {
  return t == act_dtype::f32 ? 4 : 8;
}

}  // namespace sgp::gpu::cuda
