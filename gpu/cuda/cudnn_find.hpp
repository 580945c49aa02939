// The fastest algorithm of a cudnnFind* search, retried once after the
// stream-ordered memory pool has given its kept memory back when every
// candidate failed for want of a workspace; otherwise an error that names
// each candidate's status and the device's free memory.
#pragma once

#include <cuda_runtime.h>
#include <cudnn.h>

#include <array>
#include <string>

#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {

/// Returns the memory that the current device's stream-ordered pool keeps
/// (freed blocks held for reuse) to the driver, so that plain allocations
/// (cudnnFind's own workspaces) can have it.
inline void trim_pool() {
  int device = 0;
  SGP_CUDA_CHECK(cudaGetDevice(&device));
  cudaMemPool_t pool = nullptr;
  SGP_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device));
  SGP_CUDA_CHECK(cudaDeviceSynchronize());
  SGP_CUDA_CHECK(cudaMemPoolTrimTo(pool, 0));
}

/// Runs a cudnnFind* call (`find(perfs, &returned)` for at most MaxAlgos
/// results, sorted fastest first) and returns the fastest successful one.
template <int MaxAlgos, class Perf, class Find>
Perf find_fastest(const Find& find, const char* what) {
  for (int attempt = 0;; ++attempt) {
    std::array<Perf, MaxAlgos> perfs{};
    int returned = 0;
    SGP_CUDA_CHECK(find(perfs.data(), &returned));
    bool out_of_memory = false;
    for (int i = 0; i < returned; ++i) {
      if (perfs[i].status == CUDNN_STATUS_SUCCESS) return perfs[i];
      out_of_memory = out_of_memory || perfs[i].status == CUDNN_STATUS_ALLOC_FAILED;
    }
    if (out_of_memory && attempt == 0) {
      trim_pool();
      continue;
    }
    std::string why = "no usable algorithm among " + std::to_string(returned) + " (";
    for (int i = 0; i < returned; ++i) {
      if (i > 0) why += ", ";
      why += cudnnGetErrorString(perfs[i].status);
    }
    why += ")";
    std::size_t free_bytes = 0;
    std::size_t total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
      why += "; device memory free " + std::to_string(free_bytes >> 20) + " of " +
             std::to_string(total_bytes >> 20) + " MiB";
    }
    detail::fail("cuDNN", why.c_str(), what, __FILE__, __LINE__);
  }
}

}  // namespace sgp::gpu::cuda
