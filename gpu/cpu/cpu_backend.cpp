// cpu_backend: aligned host buffers, model construction and the SGD step.
#include "gpu/cpu/cpu_backend.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/assert.hpp"
#include "core/host_mass_space.hpp"
#include "gpu/cpu/cpu_model.hpp"
#include "gpu/cpu/model_zoo.hpp"
#include "gpu/cpu/network.hpp"

namespace sgp::gpu::cpu {
namespace {

constexpr std::size_t alignment = 64;

void free_host(float* p) {
  std::free(p);
}

/// The SGD update of backend::sgd_step (or sgd_delta, when `delta` is set)
/// over one index range, with the Nesterov choice and the decay constant
/// hoisted out of the loop so that it vectorises.
struct sgd_kernel {
  float* x;
  const float* g;
  float* m;
  float mu;
  float lr;
  float* delta = nullptr;

  template <bool nesterov>
  void run(std::int64_t begin, std::int64_t end, float wd) const {
    if (delta != nullptr) {
#pragma omp parallel for simd schedule(static)
      for (std::int64_t i = begin; i < end; ++i) {
        const float gd = g[i] + wd * x[i];
        const float mi = mu * m[i] + gd;
        m[i] = mi;
        delta[i] = -(lr * (nesterov ? gd + mu * mi : mi));
      }
      return;
    }
#pragma omp parallel for simd schedule(static)
    for (std::int64_t i = begin; i < end; ++i) {
      const float gd = g[i] + wd * x[i];
      const float mi = mu * m[i] + gd;
      m[i] = mi;
      x[i] -= lr * (nesterov ? gd + mu * mi : mi);
    }
  }

  void run_split(bool nesterov, std::size_t decayed, std::size_t n, float wd) const {
    const auto split = static_cast<std::int64_t>(decayed);
    const auto count = static_cast<std::int64_t>(n);
    if (nesterov) {
      run<true>(0, split, wd);
      run<true>(split, count, 0.0f);
    } else {
      run<false>(0, split, wd);
      run<false>(split, count, 0.0f);
    }
  }
};

class cpu_backend : public backend {
 public:
  explicit cpu_backend(int threads)
      : threads_(threads > 0 ? threads : omp_get_num_procs()),
        engine_(dnnl::engine::kind::cpu, 0) {}

  [[nodiscard]] std::string name() const override { return "cpu"; }

  buffer allocate(std::size_t n) override {
    if (n == 0) return {};
    // aligned_alloc wants a size that is a multiple of the alignment.
    const std::size_t bytes = (n * sizeof(float) + alignment - 1) / alignment * alignment;
    auto* p = static_cast<float*>(std::aligned_alloc(alignment, bytes));
    SGP_ASSERT(p != nullptr);
    std::memset(p, 0, bytes);
    return {p, n, free_host};
  }

  void upload(std::span<const float> host, buffer& dst) override {
    SGP_ASSERT(host.size() == dst.size());
    if (!host.empty()) std::memcpy(dst.data(), host.data(), host.size_bytes());
  }

  void download(const buffer& src, std::span<float> host) override {
    SGP_ASSERT(host.size() == src.size());
    if (!host.empty()) std::memcpy(host.data(), src.data(), host.size_bytes());
  }

  core::result<std::unique_ptr<model>> make_model(const std::string& name, sample_shape input,
                                                  int classes, int max_batch) override {
    if (max_batch <= 0) return core::make_error("model '" + name + "': max_batch must be > 0");
    auto layers = make_layers(name, input, classes);
    if (!layers.ok()) return layers.err();
    omp_set_num_threads(threads_);
    auto net = std::make_unique<network>(std::move(layers).value(), input, false, engine_);
    std::unique_ptr<model> m =
        std::make_unique<cpu_model>(name, std::move(net), classes, max_batch, threads_);
    return m;
  }

  void sgd_step(const sgd_options& opt, float lr, std::size_t decayed, buffer& x,
                const buffer& grads, buffer& momentum) override {
    const std::size_t n = x.size();
    SGP_ASSERT(grads.size() == n && momentum.size() == n && decayed <= n);
    omp_set_num_threads(threads_);
    const sgd_kernel k{x.data(), grads.data(), momentum.data(), opt.momentum, lr};
    k.run_split(opt.nesterov, decayed, n, opt.weight_decay);
  }

  void sgd_delta(const sgd_options& opt, float lr, std::size_t decayed, const buffer& x,
                 const buffer& grads, buffer& momentum, buffer& delta) override {
    const std::size_t n = x.size();
    SGP_ASSERT(grads.size() == n && momentum.size() == n && delta.size() == n && decayed <= n);
    omp_set_num_threads(threads_);
    // x is only read when delta is set.
    const sgd_kernel k{const_cast<float*>(x.data()),
                       grads.data(),
                       momentum.data(),
                       opt.momentum,
                       lr,
                       delta.data()};
    k.run_split(opt.nesterov, decayed, n, opt.weight_decay);
  }

  std::unique_ptr<core::mass_space> make_mass_space(std::span<const float> x) override {
    return std::make_unique<core::host_mass_space<float>>(std::vector<float>(x.begin(), x.end()));
  }

  void copy(const buffer& src, buffer& dst) override {
    SGP_ASSERT(src.size() == dst.size());
    std::copy(src.data(), src.data() + src.size(), dst.data());
  }

  void scale(buffer& x, float factor) override {
    float* p = x.data();
    for (std::size_t i = 0; i < x.size(); ++i) p[i] *= factor;
  }

  void mix_debias(buffer& x, const buffer& share, double w, buffer& z) override {
    SGP_ASSERT(share.size() == x.size() && z.size() == x.size() && w > 0.0);
    const auto inv = static_cast<float>(1.0 / w);
    float* xp = x.data();
    float* zp = z.data();
    const float* sp = share.data();
    for (std::size_t i = 0; i < x.size(); ++i) {
      xp[i] += sp[i];
      zp[i] = xp[i] * inv;
    }
  }

 private:
  int threads_;
  dnnl::engine engine_;
};

}  // namespace

std::unique_ptr<backend> make_cpu_backend(int threads) {
  SGP_ASSERT(threads >= 0);
  return std::make_unique<cpu_backend>(threads);
}

}  // namespace sgp::gpu::cpu
