// backend_factory: name → backend, and the model names every backend builds.
#include "gpu/backend_factory.hpp"

#include "gpu/cpu/cpu_backend.hpp"
#ifdef SGP_HAVE_CUDA
#include "gpu/cuda/cuda_backend.hpp"
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

}  // namespace sgp::gpu
