// Move-only owners of device memory (cudaMalloc) and pinned host memory
// (cudaMallocHost). Both are typed arrays of `size()` elements.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <span>
#include <utility>

#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {

/// `size` elements of T in device memory (uninitialised unless zeroed).
template <class T>
class device_array {
 public:
  device_array() = default;
  explicit device_array(std::size_t size) : size_(size) {
    if (size_ > 0) SGP_CUDA_CHECK(cudaMalloc(&data_, size_ * sizeof(T)));
  }
  device_array(const device_array&) = delete;
  device_array& operator=(const device_array&) = delete;
  device_array(device_array&& other) noexcept { swap(other); }
  device_array& operator=(device_array&& other) noexcept {
    device_array tmp(std::move(other));
    swap(tmp);
    return *this;
  }
  ~device_array() {
    // cudaFree synchronises the device; errors at exit are not actionable.
    if (data_ != nullptr) (void)cudaFree(data_);
  }

  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] const T* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t bytes() const { return size_ * sizeof(T); }

  /// Zero-fills asynchronously on `stream`.
  void zero(cudaStream_t stream) {
    if (size_ > 0) SGP_CUDA_CHECK(cudaMemsetAsync(data_, 0, bytes(), stream));
  }

 private:
  void swap(device_array& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// `size` elements of T in page-locked host memory, so that copies on a
/// stream are truly asynchronous and can be captured in a CUDA graph.
template <class T>
class pinned_array {
 public:
  pinned_array() = default;
  explicit pinned_array(std::size_t size) : size_(size) {
    if (size_ > 0) SGP_CUDA_CHECK(cudaMallocHost(&data_, size_ * sizeof(T)));
  }
  pinned_array(const pinned_array&) = delete;
  pinned_array& operator=(const pinned_array&) = delete;
  pinned_array(pinned_array&& other) noexcept { swap(other); }
  pinned_array& operator=(pinned_array&& other) noexcept {
    pinned_array tmp(std::move(other));
    swap(tmp);
    return *this;
  }
  ~pinned_array() {
    if (data_ != nullptr) (void)cudaFreeHost(data_);
  }

  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] const T* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t bytes() const { return size_ * sizeof(T); }
  [[nodiscard]] std::span<T> span() { return {data_, size_}; }

 private:
  void swap(pinned_array& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sgp::gpu::cuda
