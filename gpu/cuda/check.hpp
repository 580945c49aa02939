// Status checks for the CUDA runtime, cuBLAS and cuDNN. A failed call here is
// a sticky device error or a broken invariant: it aborts with file:line and
// the library's error string, and the supervisor sees a node failure.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstdio>
#include <cstdlib>

namespace sgp::gpu::cuda::detail {

[[noreturn]] inline void fail(const char* library, const char* what, const char* expr,
                              const char* file, int line) {
  std::fprintf(stderr, "%s:%d: %s error: %s (in %s)\n", file, line, library, what, expr);
  std::abort();
}

inline void check(cudaError_t status, const char* expr, const char* file, int line) {
  if (status != cudaSuccess) fail("CUDA", cudaGetErrorString(status), expr, file, line);
}

inline void check(cublasStatus_t status, const char* expr, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    fail("cuBLAS", cublasGetStatusString(status), expr, file, line);
  }
}

inline void check(cudnnStatus_t status, const char* expr, const char* file, int line) {
  if (status != CUDNN_STATUS_SUCCESS) fail("cuDNN", cudnnGetErrorString(status), expr, file, line);
}

}  // namespace sgp::gpu::cuda::detail

/// Aborts with file:line and the error string unless `expr` (a CUDA runtime,
/// cuBLAS or cuDNN call) succeeded.
#define SGP_CUDA_CHECK(expr) ::sgp::gpu::cuda::detail::check((expr), #expr, __FILE__, __LINE__)

/// Checks the last kernel launch (launch-configuration errors).
#define SGP_CUDA_CHECK_LAUNCH() SGP_CUDA_CHECK(cudaGetLastError())
