// Move-only owners of a CUDA stream and event, and a device guard that makes
// one device current for a scope and restores the previous one.
#pragma once

#include <cuda_runtime.h>

#include <utility>

#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {

/// Whether a CUDA context is current on this thread (the driver's
/// cuCtxGetCurrent, through the runtime's entry point: no link to libcuda).
/// A thread that never made a device current has none, and cudaGetDevice
/// then says 0 all the same.
[[nodiscard]] bool thread_has_context();

/// Makes `device` current until the end of the scope, then the previous
/// one. On a thread without a context (a fresh thread) the device stays
/// current: making GPU 0 current "again" would create a context there
/// (cudaSetDevice initialises one since CUDA 12), in a process that may
/// never use GPU 0 (one `sgp node` process per GPU).
class device_guard {
 public:
  explicit device_guard(int device) {
    SGP_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) {
      const bool had_context = thread_has_context();
      SGP_CUDA_CHECK(cudaSetDevice(device));
      changed_ = had_context;
    }
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

/// The device that owns stream `s` (the current device for the legacy
/// default stream).
[[nodiscard]] inline int device_of(cudaStream_t s) {
  int device = 0;
  SGP_CUDA_CHECK(cudaStreamGetDevice(s, &device));
  return device;
}

/// An event; timing is off unless asked for (cheaper to record and wait on).
///
/// The CUDA event is created at the first record(), on the device of the
/// stream it is recorded on, and made anew if a later record() is on a
/// stream of another device: CUDA refuses to record an event on a stream of
/// another device ("invalid resource handle"), and which device is current
/// where an owner is built (a member initialiser, an actor's thread) is
/// not something every owner can know. An event never recorded is complete:
/// waiting on it or synchronising with it returns at once, as in CUDA.
class event {
 public:
  explicit event(bool timing = false) : timing_(timing) {}
  event(const event&) = delete;
  event& operator=(const event&) = delete;
  event(event&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)),
        device_(other.device_),
        timing_(other.timing_) {}
  event& operator=(event&& other) noexcept {
    std::swap(handle_, other.handle_);
    std::swap(device_, other.device_);
    std::swap(timing_, other.timing_);
    return *this;
  }
  ~event() {
    if (handle_ != nullptr) (void)cudaEventDestroy(handle_);
  }

  /// The CUDA event, or nullptr before the first record().
  [[nodiscard]] cudaEvent_t get() const { return handle_; }
  /// The device of the stream of the last record(), or -1 before it.
  [[nodiscard]] int device() const { return handle_ != nullptr ? device_ : -1; }

  void record(cudaStream_t s) {
    const int device = device_of(s);
    if (handle_ == nullptr || device != device_) {
      // A wait queued on the old event still completes: CUDA releases an
      // event's resources only once the work that uses it is done.
      if (handle_ != nullptr) (void)cudaEventDestroy(std::exchange(handle_, nullptr));
      const device_guard guard(device);
      SGP_CUDA_CHECK(cudaEventCreateWithFlags(&handle_, timing_ ? 0u : cudaEventDisableTiming));
      device_ = device;
    }
    SGP_CUDA_CHECK(cudaEventRecord(handle_, s));
  }
  void synchronize() const {
    if (handle_ != nullptr) SGP_CUDA_CHECK(cudaEventSynchronize(handle_));
  }

  /// cudaEventQuery: cudaSuccess when done (or never recorded),
  /// cudaErrorNotReady while pending.
  [[nodiscard]] cudaError_t query() const {
    return handle_ != nullptr ? cudaEventQuery(handle_) : cudaSuccess;
  }

  /// Makes `s` wait (on the device) until this event has completed; `s`
  /// may belong to another device.
  void wait_on(cudaStream_t s) const {
    if (handle_ != nullptr) SGP_CUDA_CHECK(cudaStreamWaitEvent(s, handle_, 0));
  }

  /// Milliseconds between `start` and this event (both timing events, both recorded).
  [[nodiscard]] float elapsed_since(const event& start) const {
    float ms = 0.0f;
    SGP_CUDA_CHECK(cudaEventElapsedTime(&ms, start.handle_, handle_));
    return ms;
  }

 private:
  cudaEvent_t handle_ = nullptr;
  int device_ = -1;
  bool timing_ = false;
};

}  // namespace sgp::gpu::cuda
