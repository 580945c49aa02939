// network: parameter layout (as gpu/cpu/network.cpp), plans, forward and
// backward queued on the node's stream.
#include "gpu/cuda/network.hpp"

#include <algorithm>

#include "core/assert.hpp"
#include "gpu/param_layout_builder.hpp"

namespace sgp::gpu::cuda {

network::network(std::vector<std::unique_ptr<layer>> layers, sample_shape input)
    : layers_(std::move(layers)), input_(input) {
  SGP_ASSERT(!layers_.empty());
  tensor_shape shape{1, input_.channels, input_.height, input_.width};
  bool params_before = false;
  std::size_t state_total = 0;
  for (const auto& l : layers_) {
    shape = l->output_shape(shape);
    SGP_ASSERT(shape.valid());
    need_diff_src_.push_back(params_before);
    if (!l->param_requests().empty()) params_before = true;
    state_total += l->state_size();
  }

  layout_ = lay_out_layers(layers_);

  state_ = device_array<float>(state_total);
  std::size_t at = 0;
  for (const auto& l : layers_) {
    if (l->state_size() == 0) continue;
    l->bind_state(state_.data() + at);
    at += l->state_size();
  }
}

std::size_t network::output_features() const {
  tensor_shape shape{1, input_.channels, input_.height, input_.width};
  for (const auto& l : layers_) shape = l->output_shape(shape);
  return shape.elements();
}

void network::initial_state(std::span<float> host) const {
  SGP_ASSERT(host.size() == state_.size());
  std::size_t at = 0;
  for (const auto& l : layers_) {
    const std::size_t size = l->state_size();
    if (size == 0) continue;
    l->initial_state(host.subspan(at, size));
    at += size;
  }
}

void network::adjust_initial_params(std::span<float> host) const {
  SGP_ASSERT(host.size() == layout_.total);
  for (const auto& l : layers_) l->adjust_initial_params(host);
}

void network::prepare(const device_context& dc, int n, bool training) {
  (void)plan_for(dc, n, training);
}

network::plan& network::plan_for(const device_context& dc, int n, bool training) {
  const auto key = std::make_pair(n, training);
  auto it = plans_.find(key);
  if (it != plans_.end()) return it->second;

  plan p;
  tensor_shape shape{n, input_.channels, input_.height, input_.width};
  std::size_t workspace = 0;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const stage_config cfg{dc.stream(), dc.cudnn(), shape, training, training && need_diff_src_[i]};
    p.stages.push_back(layers_[i]->build(cfg));
    workspace = std::max(workspace, p.stages.back()->workspace_bytes());
    shape = layers_[i]->output_shape(shape);
  }
  p.workspace = device_array<std::byte>(workspace);
  return plans_.emplace(key, std::move(p)).first->second;
}

const float* network::forward(const device_context& dc, const float* params, const float* input,
                              int n, bool training) {
  SGP_ASSERT(n > 0);
  plan& p = plan_for(dc, n, training);
  const run_context ctx{dc.stream(), dc.cublas(),        dc.cudnn(),         params,
                        nullptr,     p.workspace.data(), p.workspace.bytes()};
  const float* src = input;
  for (auto& stage : p.stages) {
    stage->forward(ctx, src);
    src = stage->dst();
  }
  last_ = training ? &p : nullptr;
  return src;
}

void network::backward(const device_context& dc, const float* params, const float* d_output,
                       float* grads) {
  SGP_ASSERT(last_ != nullptr);
  plan& p = *last_;
  const run_context ctx{dc.stream(), dc.cublas(),        dc.cudnn(),         params,
                        grads,       p.workspace.data(), p.workspace.bytes()};
  const float* diff = d_output;
  for (std::size_t i = p.stages.size(); i-- > 0;) {
    diff = p.stages[i]->backward(ctx, diff);
    if (diff == nullptr) {
      SGP_ASSERT(!need_diff_src_[i]);
      break;
    }
  }
}

}  // namespace sgp::gpu::cuda
