// Move-only owners of a CUDA stream and event, and a device guard that makes
// one device current for a scope and restores the previous one.
#pragma once

#include <cuda_runtime.h>

#include <utility>

#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {

/// Makes `device` current until the end of the scope.
class device_guard {
 public:
  explicit device_guard(int device) {
    SGP_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) SGP_CUDA_CHECK(cudaSetDevice(device));
    changed_ = previous_ != device;
  }
  device_guard(const device_guard&) = delete;
  device_guard& operator=(const device_guard&) = delete;
  ~device_guard() {
    if (changed_) (void)cudaSetDevice(previous_);
  }

 private:
  int previous_ = 0;
  bool changed_ = false;
};

/// A non-blocking stream (does not synchronise with the legacy default
/// stream) on the current device.
class stream {
 public:
  stream() { SGP_CUDA_CHECK(cudaStreamCreateWithFlags(&handle_, cudaStreamNonBlocking)); }
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  stream(stream&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  stream& operator=(stream&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  ~stream() {
    if (handle_ != nullptr) (void)cudaStreamDestroy(handle_);
  }

  [[nodiscard]] cudaStream_t get() const { return handle_; }

  /// Blocks the host until all work queued so far has finished.
  void synchronize() const { SGP_CUDA_CHECK(cudaStreamSynchronize(handle_)); }

 private:
  cudaStream_t handle_ = nullptr;
};

/// An event; timing is off unless asked for (cheaper to record and wait on).
class event {
 public:
  explicit event(bool timing = false) {
    SGP_CUDA_CHECK(cudaEventCreateWithFlags(&handle_, timing ? 0u : cudaEventDisableTiming));
  }
  event(const event&) = delete;
  event& operator=(const event&) = delete;
  event(event&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  event& operator=(event&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  ~event() {
    if (handle_ != nullptr) (void)cudaEventDestroy(handle_);
  }

  [[nodiscard]] cudaEvent_t get() const { return handle_; }
  void record(cudaStream_t s) { SGP_CUDA_CHECK(cudaEventRecord(handle_, s)); }
  void synchronize() const { SGP_CUDA_CHECK(cudaEventSynchronize(handle_)); }

  /// Makes `s` wait (on the device) until this event has completed.
  void wait_on(cudaStream_t s) const { SGP_CUDA_CHECK(cudaStreamWaitEvent(s, handle_, 0)); }

  /// Milliseconds between `start` and this event (both timing events).
  [[nodiscard]] float elapsed_since(const event& start) const {
    float ms = 0.0f;
    SGP_CUDA_CHECK(cudaEventElapsedTime(&ms, start.handle_, handle_));
    return ms;
  }

 private:
  cudaEvent_t handle_ = nullptr;
};

}  // namespace sgp::gpu::cuda
