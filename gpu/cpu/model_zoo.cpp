// model_zoo: mlp, cnn and cnn-bn as layer lists.
#include "gpu/cpu/model_zoo.hpp"

#include "gpu/cpu/batch_norm.hpp"
#include "gpu/cpu/conv2d.hpp"
#include "gpu/cpu/flatten.hpp"
#include "gpu/cpu/linear.hpp"
#include "gpu/cpu/pool2d.hpp"
#include "gpu/cpu/relu.hpp"

namespace sgp::gpu::cpu {
namespace {

using layer_list = std::vector<std::unique_ptr<layer>>;

/// flatten → linear 1024 → relu → linear 1024 → relu → linear classes.
layer_list mlp(sample_shape input, int classes) {
  const int features = static_cast<int>(input.elements());
  layer_list l;
  l.push_back(std::make_unique<flatten>("flatten"));
  l.push_back(std::make_unique<linear>("fc1", features, 1024));
  l.push_back(std::make_unique<relu>("relu1"));
  l.push_back(std::make_unique<linear>("fc2", 1024, 1024));
  l.push_back(std::make_unique<relu>("relu2"));
  l.push_back(std::make_unique<linear>("fc3", 1024, classes));
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
    l.push_back(std::make_unique<conv2d>("conv" + i, channels, widths[b], 3, 1, 1));
    if (with_bn) l.push_back(std::make_unique<batch_norm>("bn" + i, widths[b]));
    l.push_back(std::make_unique<relu>("relu" + i));
    l.push_back(std::make_unique<pool2d>("pool" + i, pool_kind::max, 2, 2));
    channels = widths[b];
    h /= 2;
    w /= 2;
  }
  l.push_back(std::make_unique<flatten>("flatten"));
  l.push_back(std::make_unique<linear>("fc1", channels * h * w, 256));
  l.push_back(std::make_unique<relu>("relu3"));
  l.push_back(std::make_unique<linear>("fc2", 256, classes));
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
  // The CPU backend has no ResNets: they exist for GPU throughput
  // benchmarks (bf16, channels-last) and are built by the CUDA backend only.
  if (name.rfind("resnet", 0) == 0) {
    return core::make_error("model '" + name +
                            "' is built by the CUDA backend only (backend 'cuda'); the CPU "
                            "backend has no ResNets (valid: mlp, cnn, cnn-bn)");
  }
  return core::make_error("unknown model '" + name + "' (valid: mlp, cnn, cnn-bn)");
}

}  // namespace sgp::gpu::cpu
