// cudaHostRegister as core::host_pinning (see host_pinning.hpp).
#include "gpu/cuda/host_pinning.hpp"

#include <cuda_runtime.h>

#include <atomic>
#include <string>

#include "core/log.hpp"

namespace sgp::gpu::cuda {

std::shared_ptr<const core::host_pinning> cuda_host_pinning(int device) {
  {
    auto p = std::make_shared<core::host_pinning>();
    p->pin = [device](void* at, std::size_t bytes) {
      if (cudaSetDevice(device) != cudaSuccess) {
        (void)cudaGetLastError();
        return false;
      }
      // Portable: every device of the process may copy from it.
      const cudaError_t e = cudaHostRegister(at, bytes, cudaHostRegisterPortable);
      if (e == cudaSuccess) return true;
      (void)cudaGetLastError();  // not sticky: clear it for the next call's check
      static std::atomic<bool> said{false};
      if (!said.exchange(true)) {
        core::logf(core::log_level::warn, "gpu", {},
                   "cudaHostRegister of %zu bytes failed (%s): pushes between processes are "
                   "copied from pageable memory, more slowly",
                   bytes, cudaGetErrorString(e));
      }
      return false;
    };
    p->unpin = [device](void* at) {
      if (cudaSetDevice(device) != cudaSuccess || cudaHostUnregister(at) != cudaSuccess) {
        (void)cudaGetLastError();  // a failed call's error is ours: not left for the next check
      }
    };
    return std::shared_ptr<const core::host_pinning>(std::move(p));
  }
}

}  // namespace sgp::gpu::cuda
