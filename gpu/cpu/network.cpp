// network: parameter layout, plans per batch size, forward and backward.
#include "gpu/cpu/network.hpp"

#include "core/assert.hpp"
#include "gpu/param_layout_builder.hpp"

namespace sgp::gpu::cpu {

using dnnl::memory;

network::network(std::vector<std::unique_ptr<layer>> layers, sample_shape input, bool input_grad,
                 const dnnl::engine& engine)
    : layers_(std::move(layers)),
      input_(input),
      input_grad_(input_grad),
      engine_(engine),
      stream_(engine_) {
  SGP_ASSERT(!layers_.empty());
  // Shapes must chain; a stage needs its input gradient when some earlier
  // layer has parameters (or the caller wants the input gradient).
  memory::dims dims = output_dims(1);
  bool params_before = input_grad_;
  std::size_t state_total = 0;
  for (const auto& l : layers_) {
    need_diff_src_.push_back(params_before);
    if (!l->param_requests().empty()) params_before = true;
    state_total += l->state_size();
  }
  SGP_ASSERT(!dims.empty());

  layout_ = lay_out_layers(layers_);

  state_.resize(state_total);
  std::size_t at = 0;
  for (const auto& l : layers_) {
    if (l->state_size() == 0) continue;
    l->bind_state(state_.data() + at);
    at += l->state_size();
  }
  reset_state();
}

memory::dims network::output_dims(int n) const {
  memory::dims dims{n, input_.channels, input_.height, input_.width};
  for (const auto& l : layers_) {
    dims = l->output_dims(dims);
    if (dims.empty()) return dims;
  }
  return dims;
}

std::size_t network::output_features() const {
  const memory::dims dims = output_dims(1);
  std::size_t features = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) features *= static_cast<std::size_t>(dims[i]);
  return features;
}

void network::reset_state() {
  for (const auto& l : layers_) l->reset_state();
}

network::plan& network::plan_for(int n, bool training) {
  const auto key = std::make_pair(n, training);
  auto it = plans_.find(key);
  if (it != plans_.end()) return it->second;

  plan p;
  p.batch = n;
  p.training = training;
  memory::desc md = plain_md({n, input_.channels, input_.height, input_.width});
  p.input = memory(md, engine_, DNNL_MEMORY_NONE);
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const stage_config cfg{&engine_, md, training, training && need_diff_src_[i]};
    p.stages.push_back(layers_[i]->build(cfg));
    md = p.stages.back()->dst().get_desc();
  }
  const memory::desc out_plain = plain_md(output_dims(n));
  p.output_out = reorder_step(engine_, md, out_plain);
  if (training) {
    p.d_output = memory(out_plain, engine_, DNNL_MEMORY_NONE);
    p.d_output_in = reorder_step(engine_, out_plain, md);
  }
  return plans_.emplace(key, std::move(p)).first->second;
}

std::span<const float> network::forward(const float* params, const float* input, int n,
                                        bool training) {
  SGP_ASSERT(n > 0);
  plan& p = plan_for(n, training);
  const run_context ctx{&stream_, params, nullptr};
  p.input.set_data_handle(const_cast<float*>(input));
  const memory* src = &p.input;
  for (auto& stage : p.stages) {
    stage->forward(ctx, *src);
    src = &stage->dst();
  }
  const memory& out = p.output_out.to(stream_, *src);
  stream_.wait();
  last_ = &p;
  return {static_cast<const float*>(out.get_data_handle()),
          static_cast<std::size_t>(n) * output_features()};
}

std::span<const float> network::backward(const float* params, const float* d_output, float* grads) {
  SGP_ASSERT(last_ != nullptr && last_->training);
  plan& p = *last_;
  const run_context ctx{&stream_, params, grads};
  p.d_output.set_data_handle(const_cast<float*>(d_output));
  const memory* diff = &p.d_output_in.to(stream_, p.d_output);
  for (std::size_t i = p.stages.size(); i-- > 0;) {
    diff = p.stages[i]->backward(ctx, *diff);
    if (diff == nullptr) {
      SGP_ASSERT(!need_diff_src_[i]);
      break;
    }
  }
  stream_.wait();
  if (!input_grad_) return {};
  SGP_ASSERT(diff != nullptr);
  const std::size_t size = static_cast<std::size_t>(p.batch) * input_.elements();
  return {static_cast<const float*>(diff->get_data_handle()), size};
}

}  // namespace sgp::gpu::cpu
