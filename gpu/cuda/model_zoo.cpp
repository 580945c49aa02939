// model_zoo: mlp, cnn and cnn-bn as CUDA layer lists, and the ResNets.
#include "gpu/cuda/model_zoo.hpp"

#include "gpu/cuda/layers.hpp"
#include "gpu/cuda/resnet.hpp"

namespace sgp::gpu::cuda {
namespace {

using layer_list = std::vector<std::unique_ptr<layer>>;

/// flatten → linear 1024 → relu → linear 1024 → relu → linear classes.
layer_list mlp(sample_shape input, int classes) {
  const int features = static_cast<int>(input.elements());
  layer_list l;
  l.push_back(make_flatten("flatten"));
  l.push_back(make_linear("fc1", features, 1024));
  l.push_back(make_relu("relu1"));
  l.push_back(make_linear("fc2", 1024, 1024));
  l.push_back(make_relu("relu2"));
  l.push_back(make_linear("fc3", 1024, classes));
  return l;
}

/// Two blocks of conv 3x3 pad 1 (32, then 64 channels) [→ batch norm] →
/// relu → max pool 2, then flatten → linear 256 → relu → linear classes.
layer_list cnn(sample_shape input, int classes, bool with_bn) {
  layer_list l;
  int channels = input.channels;
  int h = input.height;
  int w = input.width;
  const int widths[2] = {32, 64};
  for (int b = 0; b < 2; ++b) {
    const std::string i = std::to_string(b + 1);
    l.push_back(make_conv2d("conv" + i, channels, widths[b], 3, 1, 1));
    if (with_bn) l.push_back(make_batch_norm("bn" + i, widths[b]));
    l.push_back(make_relu("relu" + i));
    l.push_back(make_max_pool2d("pool" + i, 2, 2));
    channels = widths[b];
    h /= 2;
    w /= 2;
  }
  l.push_back(make_flatten("flatten"));
  l.push_back(make_linear("fc1", channels * h * w, 256));
  l.push_back(make_relu("relu3"));
  l.push_back(make_linear("fc2", 256, classes));
  return l;
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
  if (input.channels <= 0 || input.height <= 0 || input.width <= 0) {
    return core::make_error("model '" + name + "': input shape must be positive");
  }
  if (classes < 2) return core::make_error("model '" + name + "': needs at least 2 classes");
  if (name == "mlp") return mlp(input, classes);
  if (name == "cnn" || name == "cnn-bn") {
    if (input.height < 4 || input.width < 4) {
      return core::make_error("model '" + name + "': input must be at least 4x4 (two 2x2 pools)");
    }
    return cnn(input, classes, name == "cnn-bn");
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
