// The algorithm of a legacy cuDNN convolution: the fastest of a cudnnFind*
// search, or, with reproducible convolutions (backend.conv_search), the
// first deterministic one of cuDNN's heuristics (cudnnGet*_v7), untimed.
// Searches run one at a time
// in the process: with two GPUs' nodes searching at once, cuDNN 9 answered
// CUDNN_STATUS_INTERNAL_ERROR for every candidate now and then (two of four
// two-GPU ResNet-50 runs on the H200, with 139 of 143 GiB free). A search
// whose candidates all failed is retried once, after the stream-ordered
// memory pool has given its kept memory back; then the error names each
// candidate's status and the device's free memory.
#pragma once

#include <cuda_runtime.h>
#include <cudnn.h>

#include <array>
#include <atomic>
#include <mutex>
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

/// Whether models built from now on choose reproducible convolution
/// algorithms (gpu::set_reproducible_convolutions), process-wide.
inline std::atomic<bool>& reproducible_convolutions() {
  static std::atomic<bool> on{false};
  return on;
}

/// Runs a cudnnFind* call (`find(perfs, &returned)` for at most MaxAlgos
/// results, sorted fastest first) and returns the fastest successful one.
/// Serialises cuDNN's algorithm searches across the process's threads.
inline std::mutex& find_mutex() {
  static std::mutex m;
  return m;
}

template <int MaxAlgos, class Perf, class Find>
Perf find_fastest(const Find& find, const char* what) {
  const std::lock_guard lock(find_mutex());
  for (int attempt = 0;; ++attempt) {
    std::array<Perf, MaxAlgos> perfs{};
    int returned = 0;
    SGP_CUDA_CHECK(find(perfs.data(), &returned));
    for (int i = 0; i < returned; ++i) {
      if (perfs[i].status == CUDNN_STATUS_SUCCESS) return perfs[i];
    }
    if (attempt == 0) {
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

/// The choice as the process asks for it: `find` times the candidates
/// (cudnnFind*), `rank` lists cuDNN's heuristics' (cudnnGet*_v7), both with
/// the signature (Perf* perfs, int* returned).
template <int MaxAlgos, class Perf, class Find, class Rank>
Perf choose_algorithm(const Find& find, const Rank& rank, const char* what) {
  if (!reproducible_convolutions().load()) return find_fastest<MaxAlgos, Perf>(find, what);
  std::array<Perf, MaxAlgos> perfs{};
  int returned = 0;
  SGP_CUDA_CHECK(rank(perfs.data(), &returned));
  for (int i = 0; i < returned; ++i) {
    if (perfs[i].status == CUDNN_STATUS_SUCCESS && perfs[i].determinism == CUDNN_DETERMINISTIC) {
      return perfs[i];
    }
  }
  detail::fail("cuDNN", "no deterministic algorithm among the heuristics' candidates", what,
               __FILE__, __LINE__);
}

}  // namespace sgp::gpu::cuda
