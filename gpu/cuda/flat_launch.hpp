// Launch shape of the flat kernels (one pass over a vector with a
// grid-stride loop): 256 threads per block, and a grid capped at a few
// waves (132 SMs on an H100 x 8 resident blocks), which keeps launches
// cheap for small vectors and saturates HBM for large ones.
#pragma once

#include <algorithm>
#include <cstddef>

namespace sgp::gpu::cuda {

constexpr int block_size = 256;

/// Blocks for a grid-stride loop over `n` elements (at least one).
inline int grid_for(std::size_t n) {
  const std::size_t blocks = (n + block_size - 1) / block_size;
  return static_cast<int>(std::min<std::size_t>(std::max<std::size_t>(blocks, 1), 132 * 8));
}

}  // namespace sgp::gpu::cuda
