// backend_factory: name → backend, the device allreduce for a set of
// backends, and the model names every backend builds.
#include "gpu/backend_factory.hpp"

#include <algorithm>

#include "gpu/cpu/cpu_backend.hpp"
#include "gpu/device_allreduce.hpp"
#include "gpu/process_sum.hpp"
#ifdef SGP_HAVE_CUDA
#include <cuda_profiler_api.h>

#include "gpu/cuda/cuda_backend.hpp"
#include "gpu/cuda/cudnn_find.hpp"
#include "gpu/cuda/host_pinning.hpp"
#include "gpu/cuda/peer_access.hpp"
#endif
#ifdef SGP_HAVE_NCCL
#include "gpu/cuda/nccl_allreduce.hpp"
#include "gpu/cuda/nccl_process_sum.hpp"
#endif

namespace sgp::gpu {

std::vector<std::string> model_names() {
  return {"mlp", "cnn", "cnn-bn"};
}

std::vector<std::string> backend_names() {
  return {"cpu", "cuda"};
}

core::result<std::unique_ptr<backend>> make_backend(const std::string& name, int threads,
                                                    int device) {
  if (threads < 0) return core::make_error("backend threads must be >= 0");
  if (name == "cpu") return cpu::make_cpu_backend(threads);
  if (name == "cuda") {
#ifdef SGP_HAVE_CUDA
    return cuda::make_cuda_backend(device);
#else
    (void)device;
    return core::make_error(
        "backend 'cuda' is not built in this binary (configure with nvcc and cuDNN available)");
#endif
  }
  std::string valid;
  for (const auto& n : backend_names()) valid += (valid.empty() ? "" : ", ") + n;
  return core::make_error("unknown backend '" + name + "' (valid: " + valid + ")");
}

void set_reproducible_convolutions(bool on) {
#ifdef SGP_HAVE_CUDA
  cuda::reproducible_convolutions().store(on);
#else
  (void)on;
#endif
}

core::result<std::unique_ptr<process_sum>> make_nccl_process_sum(process_sum_setup setup) {
#ifdef SGP_HAVE_NCCL
  return cuda::make_nccl_process_sum(std::move(setup));
#else
  (void)setup;
  return core::make_error("NCCL is not built into this sgp");
#endif
}

bool nccl_built() {
#ifdef SGP_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

std::shared_ptr<const core::host_pinning> host_pinning_of(const std::string& backend, int device) {
#ifdef SGP_HAVE_CUDA
  if (backend == "cuda") return cuda::cuda_host_pinning(device);
#endif
  (void)backend;
  (void)device;
  return nullptr;
}

core::result<std::string> enable_peer_access(const std::string& backend, std::vector<int> devices) {
  std::sort(devices.begin(), devices.end());
  devices.erase(std::unique(devices.begin(), devices.end()), devices.end());
  if (backend != "cuda" || devices.size() < 2) return std::string{};
#ifdef SGP_HAVE_CUDA
  auto made = cuda::enable_peer_access(devices);
  if (!made.ok()) return made.err();
  const auto& peers = made.value();
  std::string with;
  std::string without;
  for (const int a : devices) {
    for (const int b : devices) {
      if (a == b) continue;
      auto& list = peers.can_access(a, b) ? with : without;
      list += (list.empty() ? "" : ", ") + std::to_string(a) + "->" + std::to_string(b);
    }
  }
  return "peer access between GPUs: " + (with.empty() ? std::string("none") : with) +
         (without.empty() ? std::string{}
                          : "; without (copies staged through host memory): " + without);
#else
  return core::make_error("backend 'cuda' is not built in this binary");
#endif
}

void profiled_region(bool open) {
#ifdef SGP_HAVE_CUDA
  // Without a profiler attached both calls do nothing and succeed.
  (void)(open ? cudaProfilerStart() : cudaProfilerStop());
#else
  (void)open;
#endif
}

core::result<std::unique_ptr<device_allreduce>> make_device_allreduce(
    std::span<backend* const> backends) {
  if (backends.empty()) return core::make_error("device allreduce: no backends");
  for (backend* b : backends) {
    if (b->name() != "cuda") {
      return core::make_error("backend '" + b->name() + "' has no device collectives");
    }
  }
#ifdef SGP_HAVE_NCCL
  return cuda::make_nccl_allreduce(backends);
#else
  return core::make_error(
      "NCCL is not built in this binary (configure with NCCL found, or set SGP_NCCL_ROOT)");
#endif
}

}  // namespace sgp::gpu
