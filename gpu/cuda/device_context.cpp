// device_context: stream and library handles of one device.
#include "gpu/cuda/device_context.hpp"

namespace sgp::gpu::cuda {
namespace {

// cuBLAS recommends 32 MiB of workspace on Hopper.
constexpr std::size_t cublas_workspace_bytes = 32u << 20;

}  // namespace

std::shared_ptr<device_context> device_context::make(int device) {
  const device_guard guard(device);
  return std::shared_ptr<device_context>(new device_context(device));
}

device_context::device_context(int device)
    : device_(device), cublas_workspace_(cublas_workspace_bytes) {
  SGP_CUDA_CHECK(cublasSetStream(cublas_.get(), stream_.get()));
  SGP_CUDA_CHECK(
      cublasSetWorkspace(cublas_.get(), cublas_workspace_.data(), cublas_workspace_.bytes()));
  // Plain fp32 GEMMs (no TF32), so results track the CPU oracle.
  SGP_CUDA_CHECK(cublasSetMathMode(cublas_.get(), CUBLAS_DEFAULT_MATH));
  SGP_CUDA_CHECK(cudnnSetStream(cudnn_.get(), stream_.get()));
}

}  // namespace sgp::gpu::cuda
