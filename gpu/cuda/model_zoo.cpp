// model_zoo: mlp, cnn and cnn-bn (gpu/model_spec.hpp) as CUDA layer lists,
// and the ResNets.
#include "gpu/cuda/model_zoo.hpp"

#include "gpu/cuda/layers.hpp"
#include "gpu/cuda/resnet.hpp"
#include "gpu/model_spec.hpp"

namespace sgp::gpu::cuda {
namespace {

using layer_list = std::vector<std::unique_ptr<layer>>;

std::unique_ptr<layer> build(const layer_spec& s) {
  using k = layer_spec::kind;
  switch (s.what) {
    case k::flatten:
      return make_flatten(s.name);
    case k::linear:
      return make_linear(s.name, s.in, s.out);
    case k::relu:
      return make_relu(s.name);
    case k::conv2d:
      return make_conv2d(s.name, s.in, s.out, s.kernel, s.stride, s.pad);
    case k::batch_norm:
      return make_batch_norm(s.name, s.out);
    case k::max_pool2d:
      return make_max_pool2d(s.name, s.kernel, s.stride);
  }
  return nullptr;
}

/// ResNet body (bf16 or fp32 channels-last inside) → linear classes (fp32,
/// named "fc" as in torchvision).
layer_list resnet(sample_shape input, int classes, int depth, act_dtype t) {
  layer_list l;
  l.push_back(make_resnet_body("resnet" + std::to_string(depth), depth, input.channels, t));
  l.push_back(make_linear("fc", resnet_features(depth), classes));
  return l;
}

}  // namespace

core::result<std::vector<std::unique_ptr<layer>>> make_layers(const std::string& name,
                                                              sample_shape input, int classes) {
  auto spec = small_model_spec(name, input, classes);
  if (!spec.ok()) return spec.err();
  if (*spec) {
    layer_list layers;
    for (const auto& s : **spec) layers.push_back(build(s));
    return layers;
  }
  // "resnet18" / "resnet50" compute in bf16 (the benchmark recipe); the
  // "-fp32" twins run the same code in fp32 (the reference for tests).
  for (const int depth : {18, 50}) {
    const std::string base = "resnet" + std::to_string(depth);
    if (name != base && name != base + "-fp32") continue;
    return resnet(input, classes, depth, name == base ? act_dtype::bf16 : act_dtype::f32);
  }
  return core::make_error("unknown model '" + name +
                          "' (valid: mlp, cnn, cnn-bn, resnet18, resnet50, resnet18-fp32, "
                          "resnet50-fp32)");
}

}  // namespace sgp::gpu::cuda
