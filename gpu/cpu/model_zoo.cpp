// model_zoo: mlp, cnn and cnn-bn (gpu/model_spec.hpp) as CPU layer lists.
#include "gpu/cpu/model_zoo.hpp"

#include "gpu/cpu/batch_norm.hpp"
#include "gpu/cpu/conv2d.hpp"
#include "gpu/cpu/flatten.hpp"
#include "gpu/cpu/linear.hpp"
#include "gpu/cpu/pool2d.hpp"
#include "gpu/cpu/relu.hpp"
#include "gpu/model_spec.hpp"

namespace sgp::gpu::cpu {
namespace {

std::unique_ptr<layer> build(const layer_spec& s) {
  using k = layer_spec::kind;
  switch (s.what) {
    case k::flatten:
      return std::make_unique<flatten>(s.name);
    case k::linear:
      return std::make_unique<linear>(s.name, s.in, s.out);
    case k::relu:
      return std::make_unique<relu>(s.name);
    case k::conv2d:
      return std::make_unique<conv2d>(s.name, s.in, s.out, s.kernel, s.stride, s.pad);
    case k::batch_norm:
      return std::make_unique<batch_norm>(s.name, s.out);
    case k::max_pool2d:
      return std::make_unique<pool2d>(s.name, pool_kind::max, s.kernel, s.stride);
  }
  return nullptr;
}

}  // namespace

core::result<std::vector<std::unique_ptr<layer>>> make_layers(const std::string& name,
                                                              sample_shape input, int classes) {
  auto spec = small_model_spec(name, input, classes);
  if (!spec.ok()) return spec.err();
  if (!*spec) {
    // The CPU backend has no ResNets: they exist for GPU throughput
    // benchmarks (bf16, channels-last) and are built by the CUDA backend only.
    if (name.rfind("resnet", 0) == 0) {
      return core::make_error("model '" + name +
                              "' is built by the CUDA backend only (backend 'cuda'); the CPU "
                              "backend has no ResNets (valid: mlp, cnn, cnn-bn)");
    }
    return core::make_error("unknown model '" + name + "' (valid: mlp, cnn, cnn-bn)");
  }
  std::vector<std::unique_ptr<layer>> layers;
  for (const auto& s : **spec) layers.push_back(build(s));
  return layers;
}

}  // namespace sgp::gpu::cpu
