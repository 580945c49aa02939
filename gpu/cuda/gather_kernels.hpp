// Gathering rows of a device-resident array into a batch, on a stream: the
// device twin of data::gather_batch (data/batch.hpp) for the images of a
// dataset held on the GPU (gpu/cuda/resident_images.hpp).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <span>

namespace sgp::gpu::cuda {

/// dst[i * row .. (i + 1) * row) = src[indices[i] * row .. (indices[i] + 1) * row)
/// for every i, queued on `stream`. Every index must be below `rows` (the
/// rows of `src`), and below 2^32; the indices travel in the launches'
/// parameters (512 per launch), so nothing is uploaded first.
void launch_gather_rows(const float* src, std::size_t rows, std::size_t row,
                        std::span<const std::size_t> indices, float* dst, cudaStream_t stream);

}  // namespace sgp::gpu::cuda
