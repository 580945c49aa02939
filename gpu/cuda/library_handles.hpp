// Move-only owners of library handles and cuDNN descriptors: cuBLAS, cuBLASLt,
// cuDNN, and the tensor, filter, convolution and pooling descriptors.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cudnn.h>

#include <utility>

#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {

/// Owns a C handle created by `Create` and released by `Destroy`.
template <class Handle, auto Create, auto Destroy>
class unique_handle {
 public:
  unique_handle() { SGP_CUDA_CHECK(Create(&handle_)); }
  unique_handle(const unique_handle&) = delete;
  unique_handle& operator=(const unique_handle&) = delete;
  unique_handle(unique_handle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  unique_handle& operator=(unique_handle&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  ~unique_handle() {
    if (handle_ != nullptr) (void)Destroy(handle_);
  }

  [[nodiscard]] Handle get() const { return handle_; }

 private:
  Handle handle_ = nullptr;
};

/// cuBLAS context on the current device (bind a stream with cublasSetStream).
using cublas_handle = unique_handle<cublasHandle_t, cublasCreate, cublasDestroy>;
/// cuBLASLt context (for GEMMs with epilogues).
using cublaslt_handle = unique_handle<cublasLtHandle_t, cublasLtCreate, cublasLtDestroy>;
/// cuDNN context on the current device (bind a stream with cudnnSetStream).
using cudnn_handle = unique_handle<cudnnHandle_t, cudnnCreate, cudnnDestroy>;

using tensor_descriptor = unique_handle<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor,
                                        cudnnDestroyTensorDescriptor>;
using filter_descriptor = unique_handle<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor,
                                        cudnnDestroyFilterDescriptor>;
using convolution_descriptor =
    unique_handle<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor,
                  cudnnDestroyConvolutionDescriptor>;
using pooling_descriptor = unique_handle<cudnnPoolingDescriptor_t, cudnnCreatePoolingDescriptor,
                                         cudnnDestroyPoolingDescriptor>;

/// An fp32 NCHW tensor descriptor.
inline tensor_descriptor make_nchw(int n, int c, int h, int w) {
  tensor_descriptor d;
  SGP_CUDA_CHECK(
      cudnnSetTensor4dDescriptor(d.get(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w));
  return d;
}

}  // namespace sgp::gpu::cuda
