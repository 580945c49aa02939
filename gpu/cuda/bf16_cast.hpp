// float <-> bfloat16 conversions on device (bf16 held as raw 16-bit words so
// that host code needs no CUDA headers). float -> bf16 rounds to nearest,
// ties to even; bf16 -> float is exact.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace sgp::gpu::cuda {

/// dst[i] = bf16(src[i]), round to nearest even (NaN stays NaN).
void launch_float_to_bf16(const float* src, std::uint16_t* dst, std::size_t n, cudaStream_t stream);

/// dst[i] = float(src[i]), exact.
void launch_bf16_to_float(const std::uint16_t* src, float* dst, std::size_t n, cudaStream_t stream);

}  // namespace sgp::gpu::cuda
