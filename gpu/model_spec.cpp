// model_spec: the small zoo models as layer descriptions.
#include "gpu/model_spec.hpp"

namespace sgp::gpu {
namespace {

using spec_list = std::vector<layer_spec>;
using k = layer_spec::kind;

layer_spec linear(std::string name, int in, int out) {
  return {.what = k::linear, .name = std::move(name), .in = in, .out = out};
}

layer_spec plain(k what, std::string name) {
  return {.what = what, .name = std::move(name)};
}

/// flatten → linear 1024 → relu → linear 1024 → relu → linear classes.
spec_list mlp(sample_shape input, int classes) {
  return {plain(k::flatten, "flatten"), linear("fc1", static_cast<int>(input.elements()), 1024),
          plain(k::relu, "relu1"),      linear("fc2", 1024, 1024),
          plain(k::relu, "relu2"),      linear("fc3", 1024, classes)};
}

/// Two blocks of conv 3x3 pad 1 (32, then 64 channels) [→ batch norm] →
/// relu → max pool 2, then flatten → linear 256 → relu → linear classes.
spec_list cnn(sample_shape input, int classes, bool with_bn) {
  spec_list l;
  int channels = input.channels;
  int h = input.height;
  int w = input.width;
  const int widths[2] = {32, 64};
  for (int b = 0; b < 2; ++b) {
    const std::string i = std::to_string(b + 1);
    l.push_back({.what = k::conv2d,
                 .name = "conv" + i,
                 .in = channels,
                 .out = widths[b],
                 .kernel = 3,
                 .stride = 1,
                 .pad = 1});
    if (with_bn) l.push_back({.what = k::batch_norm, .name = "bn" + i, .out = widths[b]});
    l.push_back(plain(k::relu, "relu" + i));
    l.push_back({.what = k::max_pool2d, .name = "pool" + i, .kernel = 2, .stride = 2});
    channels = widths[b];
    h /= 2;
    w /= 2;
  }
  l.push_back(plain(k::flatten, "flatten"));
  l.push_back(linear("fc1", channels * h * w, 256));
  l.push_back(plain(k::relu, "relu3"));
  l.push_back(linear("fc2", 256, classes));
  return l;
}

}  // namespace

core::status check_model_input(const std::string& name, sample_shape input, int classes) {
  if (input.channels <= 0 || input.height <= 0 || input.width <= 0) {
    return core::make_error("model '" + name + "': input shape must be positive");
  }
  if (classes < 2) return core::make_error("model '" + name + "': needs at least 2 classes");
  return {};
}

core::result<std::optional<std::vector<layer_spec>>> small_model_spec(const std::string& name,
                                                                      sample_shape input,
                                                                      int classes) {
  if (auto ok = check_model_input(name, input, classes); !ok) return ok.err();
  if (name == "mlp") return std::optional{mlp(input, classes)};
  if (name == "cnn" || name == "cnn-bn") {
    if (input.height < 4 || input.width < 4) {
      return core::make_error("model '" + name + "': input must be at least 4x4 (two 2x2 pools)");
    }
    return std::optional{cnn(input, classes, name == "cnn-bn")};
  }
  return std::optional<std::vector<layer_spec>>{};
}

}  // namespace sgp::gpu
