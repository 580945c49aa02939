// Row gather kernel (see gather_kernels.hpp).
#include <algorithm>
#include <cstdint>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/gather_kernels.hpp"

namespace sgp::gpu::cuda {
namespace {

/// Indices passed by value: 2 KB of the 4 KB a launch's parameters may hold.
constexpr std::size_t indices_per_launch = 512;

struct row_indices {
  std::uint32_t index[indices_per_launch];
};

/// Block row y copies row `rows.index[y]` of src to row y of dst, in
/// units of T (float4 when a row is a multiple of 4 floats: 16-byte aligned).
template <class T>
__global__ void gather_rows_kernel(const T* __restrict__ src, T* __restrict__ dst, std::size_t row,
                                   row_indices rows) {
  const T* from = src + static_cast<std::size_t>(rows.index[blockIdx.y]) * row;
  T* to = dst + static_cast<std::size_t>(blockIdx.y) * row;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < row;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    to[i] = from[i];
  }
}

template <class T>
void launch_chunk(const float* src, std::size_t row_floats, const row_indices& rows,
                  std::size_t count, float* dst, cudaStream_t stream) {
  constexpr unsigned threads = 256;
  const std::size_t row = row_floats * sizeof(float) / sizeof(T);
  // Enough blocks per row to cover it once, at most 64 (grid-stride beyond).
  const auto blocks = static_cast<unsigned>(
      std::clamp<std::size_t>((row + threads - 1) / threads, std::size_t{1}, std::size_t{64}));
  gather_rows_kernel<T><<<dim3(blocks, static_cast<unsigned>(count)), threads, 0, stream>>>(
      reinterpret_cast<const T*>(src), reinterpret_cast<T*>(dst), row, rows);
  SGP_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void launch_gather_rows(const float* src, std::size_t rows, std::size_t row,
                        std::span<const std::size_t> indices, float* dst, cudaStream_t stream) {
  if (row == 0 || indices.empty()) return;
  // float4 needs 16-byte rows and bases (cudaMalloc's alignment is 256).
  const bool vector = row % 4 == 0 && reinterpret_cast<std::uintptr_t>(src) % 16 == 0 &&
                      reinterpret_cast<std::uintptr_t>(dst) % 16 == 0;
  for (std::size_t first = 0; first < indices.size(); first += indices_per_launch) {
    const std::size_t count = std::min(indices_per_launch, indices.size() - first);
    row_indices chunk{};
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t index = indices[first + i];
      SGP_ASSERT(index < rows && index <= UINT32_MAX);
      chunk.index[i] = static_cast<std::uint32_t>(index);
    }
    float* out = dst + first * row;
    if (vector) {
      launch_chunk<float4>(src, row, chunk, count, out, stream);
    } else {
      launch_chunk<float>(src, row, chunk, count, out, stream);
    }
  }
}

}  // namespace sgp::gpu::cuda
