// cuda_backend: device buffers, model construction, and the flat kernels of
// the optimizer and push-sum on the node's stream.
#include "gpu/cuda/cuda_backend.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/assert.hpp"
#include "gpu/cuda/cuda_model.hpp"
#include "gpu/cuda/device_context.hpp"
#include "gpu/cuda/device_mass_space.hpp"
#include "gpu/cuda/flat_kernels.hpp"
#include "gpu/cuda/gather_kernels.hpp"
#include "gpu/cuda/model_zoo.hpp"
#include "gpu/cuda/network.hpp"
#include "gpu/cuda/resident_images.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {
namespace {

void free_device(float* p) {
  // cudaFree waits for queued work on the memory; errors at exit are moot.
  (void)cudaFree(p);
}

bool graphs_enabled() {
  const char* v = std::getenv("SGP_CUDA_GRAPHS");
  return v == nullptr || std::strcmp(v, "0") != 0;
}

class cuda_backend : public backend {
 public:
  explicit cuda_backend(int device) : dc_(device_context::make(device)) {}

  [[nodiscard]] std::string name() const override { return "cuda"; }

  buffer allocate(std::size_t n) override {
    if (n == 0) return {};
    const device_guard guard(dc_->device());
    float* p = nullptr;
    SGP_CUDA_CHECK(cudaMalloc(&p, n * sizeof(float)));
    SGP_CUDA_CHECK(cudaMemsetAsync(p, 0, n * sizeof(float), dc_->stream()));
    return {p, n, free_device};
  }

  void upload(std::span<const float> host, buffer& dst) override {
    SGP_ASSERT(host.size() == dst.size());
    if (host.empty()) return;
    const device_guard guard(dc_->device());
    SGP_CUDA_CHECK(cudaMemcpyAsync(dst.data(), host.data(), host.size_bytes(),
                                   cudaMemcpyHostToDevice, dc_->stream()));
    // The caller may reuse or free `host` as soon as this returns.
    dc_->synchronize();
  }

  void download(const buffer& src, std::span<float> host) override {
    SGP_ASSERT(host.size() == src.size());
    if (host.empty()) return;
    const device_guard guard(dc_->device());
    SGP_CUDA_CHECK(cudaMemcpyAsync(host.data(), src.data(), host.size_bytes(),
                                   cudaMemcpyDeviceToHost, dc_->stream()));
    dc_->synchronize();
  }

  core::result<std::unique_ptr<model>> make_model(const std::string& name, sample_shape input,
                                                  int classes, int max_batch) override {
    if (max_batch <= 0) return core::make_error("model '" + name + "': max_batch must be > 0");
    auto layers = make_layers(name, input, classes);
    if (!layers.ok()) return layers.err();
    const device_guard guard(dc_->device());
    auto net = std::make_unique<network>(std::move(layers).value(), input);
    std::unique_ptr<model> m = std::make_unique<cuda_model>(name, dc_, std::move(net), classes,
                                                            max_batch, graphs_enabled());
    return m;
  }

  void sgd_step(const sgd_options& opt, float lr, std::size_t decayed, buffer& x,
                const buffer& grads, buffer& momentum) override {
    const std::size_t n = x.size();
    SGP_ASSERT(grads.size() == n && momentum.size() == n && decayed <= n);
    const device_guard guard(dc_->device());
    launch_sgd_step(x.data(), grads.data(), momentum.data(), n, decayed, lr, opt.momentum,
                    opt.weight_decay, opt.nesterov, dc_->stream());
  }

  void sgd_delta(const sgd_options& opt, float lr, std::size_t decayed, const buffer& x,
                 const buffer& grads, buffer& momentum, buffer& delta) override {
    const std::size_t n = x.size();
    SGP_ASSERT(grads.size() == n && momentum.size() == n && delta.size() == n && decayed <= n);
    const device_guard guard(dc_->device());
    launch_sgd_delta(x.data(), grads.data(), momentum.data(), delta.data(), n, decayed, lr,
                     opt.momentum, opt.weight_decay, opt.nesterov, dc_->stream());
  }

  std::unique_ptr<core::mass_space> make_mass_space(std::span<const float> x) override {
    return std::make_unique<device_mass_space>(dc_, x);
  }

  void copy(const buffer& src, buffer& dst) override {
    SGP_ASSERT(src.size() == dst.size());
    const device_guard guard(dc_->device());
    launch_copy(src.data(), dst.data(), src.size(), dc_->stream());
  }

  void scale(buffer& x, float factor) override {
    const device_guard guard(dc_->device());
    launch_scale(x.data(), x.size(), factor, dc_->stream());
  }

  void mix_debias(buffer& x, const buffer& share, double w, buffer& z) override {
    SGP_ASSERT(share.size() == x.size() && z.size() == x.size());
    SGP_ASSERT(w > 0.0);
    const device_guard guard(dc_->device());
    launch_mix_debias(x.data(), share.data(), x.size(), w, z.data(), dc_->stream());
  }

  std::shared_ptr<const resident_images> make_resident_images(
      std::span<const float> images, std::size_t sample_elements) override {
    return resident_images_on(images, sample_elements, dc_->device());
  }

  void gather_images(const resident_images& set, std::span<const std::size_t> indices,
                     buffer& dst) override {
    const auto* held = dynamic_cast<const device_resident_images*>(&set);
    SGP_ASSERT(held != nullptr && held->device() == dc_->device());
    SGP_ASSERT(indices.size() * held->sample_elements() <= dst.size());
    const device_guard guard(dc_->device());
    launch_gather_rows(held->data(), held->samples(), held->sample_elements(), indices, dst.data(),
                       dc_->stream());
  }

  /// The GPU and stream (for cuda_placement_of).
  [[nodiscard]] const device_context& context() const { return *dc_; }

 private:
  std::shared_ptr<device_context> dc_;
};

}  // namespace

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the (non-sticky) error
    return 0;
  }
  return count;
}

std::optional<cuda_placement> cuda_placement_of(backend& b) {
  const auto* cuda = dynamic_cast<const cuda_backend*>(&b);
  if (cuda == nullptr) return std::nullopt;
  return cuda_placement{cuda->context().device(), static_cast<void*>(cuda->context().stream())};
}

core::result<std::unique_ptr<backend>> make_cuda_backend(int device) {
  const int count = cuda_device_count();
  if (count == 0) return core::make_error("backend 'cuda': no CUDA device available");
  if (device < 0 || device >= count) {
    return core::make_error("backend 'cuda': device " + std::to_string(device) + " out of range (" +
                            std::to_string(count) + " devices)");
  }
  std::unique_ptr<backend> b = std::make_unique<cuda_backend>(device);
  return b;
}

}  // namespace sgp::gpu::cuda
