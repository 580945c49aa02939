// cpu_model: initialisation, training step and evaluation of one replica.
#include "gpu/cpu/cpu_model.hpp"

#include <omp.h>

#include "core/assert.hpp"
#include "gpu/cpu/softmax_xent.hpp"
#include "gpu/param_init.hpp"

namespace sgp::gpu::cpu {

cpu_model::cpu_model(std::string name, std::unique_ptr<network> net, int classes, int max_batch,
                     int threads)
    : name_(std::move(name)),
      net_(std::move(net)),
      classes_(classes),
      max_batch_(max_batch),
      threads_(threads),
      d_logits_(static_cast<std::size_t>(max_batch) * classes) {
  SGP_ASSERT(max_batch_ > 0);
  SGP_ASSERT(net_->output_features() == static_cast<std::size_t>(classes_));
}

void cpu_model::initialize(buffer& params, std::uint64_t seed) {
  initialize_params(layout(), {params.data(), params.size()}, seed);
  net_->reset_state();
}

void cpu_model::check_batch(const buffer& params, const host_batch& batch) const {
  SGP_ASSERT(params.size() == layout().total);
  SGP_ASSERT(batch.size > 0 && batch.size <= max_batch_);
  SGP_ASSERT(batch.images != nullptr && batch.labels != nullptr);
}

float cpu_model::forward_backward(const buffer& params, const host_batch& batch, buffer& grads) {
  check_batch(params, batch);
  SGP_ASSERT(grads.size() == layout().total);
  if (threads_ > 0) omp_set_num_threads(threads_);
  const auto n = static_cast<std::size_t>(batch.size);
  const auto logits = net_->forward(params.data(), batch.images, batch.size, true);
  const std::span<float> d_logits(d_logits_.data(), n * classes_);
  const double loss = softmax_xent(logits, {batch.labels, n}, classes_, d_logits);
  net_->backward(params.data(), d_logits.data(), grads.data());
  return static_cast<float>(loss);
}

eval_counts cpu_model::evaluate(const buffer& params, const host_batch& batch) {
  check_batch(params, batch);
  if (threads_ > 0) omp_set_num_threads(threads_);
  const auto logits = net_->forward(params.data(), batch.images, batch.size, false);
  return softmax_xent_eval(logits, {batch.labels, static_cast<std::size_t>(batch.size)}, classes_);
}

}  // namespace sgp::gpu::cpu
