// Implementation of the PyTorch state_dict mapping (see torch_state.hpp).
#include "gpu/torch_state.hpp"

#include <map>

namespace sgp::gpu {
namespace {

/// Index of each of our layers in bench/torch_reference.py's nn.Sequential.
const std::map<std::string, int>* module_indices(const std::string& model) {
  // mlp: Flatten, Linear, ReLU, Linear, ReLU, Linear.
  static const std::map<std::string, int> mlp{{"fc1", 1}, {"fc2", 3}, {"fc3", 5}};
  // cnn: Conv, ReLU, Pool, Conv, ReLU, Pool, Flatten, Linear, ReLU, Linear.
  static const std::map<std::string, int> cnn{{"conv1", 0}, {"conv2", 3}, {"fc1", 7}, {"fc2", 9}};
  // cnn-bn: each Conv followed by a BatchNorm2d.
  static const std::map<std::string, int> cnn_bn{{"conv1", 0}, {"bn1", 1}, {"conv2", 4},
                                                 {"bn2", 5},   {"fc1", 9}, {"fc2", 11}};
  if (model == "mlp") return &mlp;
  if (model == "cnn") return &cnn;
  if (model == "cnn-bn") return &cnn_bn;
  return nullptr;
}

}  // namespace

core::result<std::vector<core::named_tensor>> torch_state(const std::string& model,
                                                          const param_layout& layout,
                                                          std::span<const float> params,
                                                          std::span<const float> running_stats,
                                                          std::int64_t batches_tracked) {
  const auto* indices = module_indices(model);
  if (indices == nullptr) {
    return core::make_error("model '" + model +
                            "': no PyTorch module to save it as (mlp, cnn and cnn-bn have one)");
  }
  if (params.size() != layout.total) {
    return core::make_error("model '" + model + "': " + std::to_string(params.size()) +
                            " parameters, the layout has " + std::to_string(layout.total));
  }
  // Sizes of every segment by name, to find a weight's output count (its bias).
  std::map<std::string, const param_segment*> by_name;
  for (const auto& seg : layout.segments) by_name[seg.name] = &seg;
  struct module_tensors {
    std::string layer;
    std::vector<core::named_tensor> tensors;
  };
  std::map<int, module_tensors> modules;  // in PyTorch's order
  for (const auto& seg : layout.segments) {
    const auto dot = seg.name.find('.');
    if (dot == std::string::npos) return core::make_error("parameter '" + seg.name + "': no layer");
    const std::string layer = seg.name.substr(0, dot);
    const std::string suffix = seg.name.substr(dot + 1);
    const auto it = indices->find(layer);
    if (it == indices->end()) {
      return core::make_error("model '" + model + "': unexpected layer '" + layer + "'");
    }
    core::named_tensor t;
    t.name = std::to_string(it->second) + "." + suffix;
    const auto size = static_cast<std::int64_t>(seg.size);
    t.shape = {size};
    if (seg.kind == param_kind::weight) {
      const auto bias = by_name.find(layer + ".bias");
      if (bias == by_name.end() || bias->second->size == 0 || seg.size % bias->second->size != 0) {
        return core::make_error("parameter '" + seg.name + "': no matching bias");
      }
      const auto out = static_cast<std::int64_t>(bias->second->size);
      if (layer.rfind("conv", 0) == 0) {
        // Every conv is 3x3: [out, in, 3, 3] as PyTorch holds it.
        if (seg.size % (bias->second->size * 9) != 0) {
          return core::make_error("parameter '" + seg.name + "': not a 3x3 kernel");
        }
        t.shape = {out, size / out / 9, 3, 3};
      } else {
        t.shape = {out, size / out};  // nn.Linear: [out, in]
      }
    }
    t.f32.assign(params.begin() + static_cast<std::ptrdiff_t>(seg.offset),
                 params.begin() + static_cast<std::ptrdiff_t>(seg.offset + seg.size));
    modules[it->second].layer = layer;
    modules[it->second].tensors.push_back(std::move(t));
  }
  // Batch-norm buffers, after each batch-norm layer's weight and bias.
  std::size_t stats_used = 0;
  for (auto& [index, m] : modules) {
    if (m.layer.rfind("bn", 0) != 0) continue;
    const auto c = m.tensors.front().f32.size();
    if (stats_used + 2 * c > running_stats.size()) {
      return core::make_error("model '" + model + "': " + std::to_string(running_stats.size()) +
                              " running statistics, too few for its batch norms");
    }
    const std::string prefix = std::to_string(index) + ".";
    for (const char* what : {"running_mean", "running_var"}) {
      core::named_tensor t{prefix + what, {static_cast<std::int64_t>(c)}, {}, {}, false};
      t.f32.assign(running_stats.begin() + static_cast<std::ptrdiff_t>(stats_used),
                   running_stats.begin() + static_cast<std::ptrdiff_t>(stats_used + c));
      stats_used += c;
      m.tensors.push_back(std::move(t));
    }
    m.tensors.push_back({prefix + "num_batches_tracked", {}, {}, {batches_tracked}, true});
  }
  if (stats_used != running_stats.size()) {
    return core::make_error("model '" + model + "': " + std::to_string(running_stats.size()) +
                            " running statistics, its batch norms hold " +
                            std::to_string(stats_used));
  }
  std::vector<core::named_tensor> out;
  for (auto& [index, m] : modules) {
    for (auto& t : m.tensors) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace sgp::gpu
