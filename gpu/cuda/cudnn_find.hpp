// The algorithm of a legacy cuDNN convolution: the fastest of a cudnnFind*
// search, or, with reproducible convolutions (backend.conv_search), the
// first deterministic one of cuDNN's heuristics (cudnnGet*_v7), untimed.
// Searches run one at a time
// in the process: with two GPUs' nodes searching at once, cuDNN 9 answered
// CUDNN_STATUS_INTERNAL_ERROR for every candidate now and then (two of four
// two-GPU ResNet-50 runs on the H200, with 139 of 143 GiB free). A search
// whose candidates all failed is retried once, after the stream-ordered
// memory pool has given its kept memory back; then the heuristics' first
// choice is taken (searches in other processes on the same GPU cannot be
// serialised from here), and only if that fails too does the error name
// each candidate's status and the device's free memory.
#pragma once

#include <cuda_runtime.h>
#include <cudnn.h>

#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include "core/log.hpp"
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

/// The first successful candidate of `perfs[0, returned)` that `ok` accepts.
template <class Perf, class Ok>
std::optional<Perf> first_usable(const Perf* perfs, int returned, const Ok& ok) {
  for (int i = 0; i < returned; ++i) {
    if (perfs[i].status == CUDNN_STATUS_SUCCESS && ok(perfs[i])) return perfs[i];
  }
  return std::nullopt;
}

/// Each candidate's status, and the device's free memory.
template <class Perf>
std::string candidates_text(const Perf* perfs, int returned) {
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
  return why;
}

/// The fastest successful candidate of a timed search, or (every candidate
/// failed twice) why not, in `why`.
template <int MaxAlgos, class Perf, class Find>
std::optional<Perf> find_fastest(const Find& find, std::string& why) {
  const std::lock_guard lock(find_mutex());
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt > 0) trim_pool();
    std::array<Perf, MaxAlgos> perfs{};
    int returned = 0;
    SGP_CUDA_CHECK(find(perfs.data(), &returned));
    if (auto p = first_usable(perfs.data(), returned, [](const Perf&) { return true; })) return p;
    why = candidates_text(perfs.data(), returned);
  }
  return std::nullopt;
}

/// The choice as the process asks for it: `find` times the candidates
/// (cudnnFind*), `rank` lists cuDNN's heuristics' (cudnnGet*_v7), both with
/// the signature (Perf* perfs, int* returned). A timed search whose
/// candidates all failed twice (several processes searching on one GPU at
/// once: 7 of 48 short runs in 8 processes on the H200) falls back to the
/// heuristics' first choice, with a warning, instead of ending the run.
template <int MaxAlgos, class Perf, class Find, class Rank>
Perf choose_algorithm(const Find& find, const Rank& rank, const char* what) {
  const bool reproducible = reproducible_convolutions().load();
  std::string timed_failure;
  if (!reproducible) {
    if (auto p = find_fastest<MaxAlgos, Perf>(find, timed_failure)) return *p;
  }
  std::array<Perf, MaxAlgos> perfs{};
  int returned = 0;
  SGP_CUDA_CHECK(rank(perfs.data(), &returned));
  const auto chosen = first_usable(perfs.data(), returned, [&](const Perf& p) {
    return !reproducible || p.determinism == CUDNN_DETERMINISTIC;
  });
  if (!chosen) {
    const std::string why =
        reproducible ? "no deterministic algorithm among the heuristics' candidates"
                     : "the timed search found " + timed_failure + ", and the heuristics had " +
                           candidates_text(perfs.data(), returned);
    detail::fail("cuDNN", why.c_str(), what, __FILE__, __LINE__);
  }
  if (!reproducible) {
    core::log(core::log_level::warn, "cudnn",
              std::string(what) + ": the timed search found " + timed_failure +
                  "; using the heuristics' first choice");
  }
  return *chosen;
}

}  // namespace sgp::gpu::cuda
