// Whether a CUDA context is current on this thread (see stream.hpp).
#include <cuda.h>
#include <cuda_runtime.h>

#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {
namespace {

using get_current_fn = CUresult (*)(CUcontext*);

get_current_fn get_current() {
  static const get_current_fn fn = [] {
    void* found = nullptr;
    cudaDriverEntryPointQueryResult status{};
    if (cudaGetDriverEntryPointByVersion("cuCtxGetCurrent", &found, 12000, cudaEnableDefault,
                                         &status) != cudaSuccess ||
        status != cudaDriverEntryPointSuccess) {
      (void)cudaGetLastError();
      return get_current_fn{nullptr};
    }
    return reinterpret_cast<get_current_fn>(found);
  }();
  return fn;
}

}  // namespace

bool thread_has_context() {
  const auto fn = get_current();
  // Not found: assume one, so that the guard restores as it always did.
  if (fn == nullptr) return true;
  CUcontext ctx = nullptr;
  return fn(&ctx) == CUDA_SUCCESS && ctx != nullptr;
}

}  // namespace sgp::gpu::cuda
