// Implementation of a node's compute side (see compute_engine.hpp).
#include "runtime/compute_engine.hpp"

#include <algorithm>

#include "data/batch.hpp"
#include "gpu/backend_factory.hpp"

namespace sgp::runtime {

core::result<std::unique_ptr<compute_engine>> compute_engine::create(
    const compute_setup& setup, std::shared_ptr<const data::dataset> train) {
  std::unique_ptr<compute_engine> e(new compute_engine());
  gpu::set_reproducible_convolutions(setup.reproducible_convolutions);
  auto backend = gpu::make_backend(setup.backend, setup.threads, setup.device);
  if (!backend.ok()) return backend.err().with_context("backend.name");
  e->backend_ = std::move(backend).value();
  const gpu::sample_shape shape{train->channels, train->height, train->width};
  auto model = e->backend_->make_model(setup.model, shape, train->classes, setup.batch_size);
  if (!model.ok()) return model.err().with_context("model.name");
  e->model_ = std::move(model).value();
  if (setup.eval_batch_size > 0) {
    auto eval = e->backend_->make_model(setup.model, shape, train->classes, setup.eval_batch_size);
    if (!eval.ok()) return eval.err().with_context("model.name");
    e->eval_model_ = std::move(eval).value();
  }
  e->train_ = std::move(train);
  e->setup_ = setup;
  e->sampler_ =
      std::make_unique<data::shard_sampler>(e->train_->size(), setup.node, setup.nodes, setup.seed);
  e->per_epoch_ = static_cast<std::int64_t>(
      std::max<std::size_t>(1, e->sampler_->batches_per_epoch(setup.batch_size, false)));
  const std::size_t n = e->model_->layout().total;
  e->z_ = e->backend_->allocate(n);
  e->delta_ = e->backend_->allocate(n);
  e->grads_ = e->backend_->allocate(n);
  e->momentum_ = e->backend_->allocate(n);
  const std::size_t batch_elements = static_cast<std::size_t>(setup.batch_size) * shape.elements();
  if (setup.resident_images) {
    e->resident_ = e->backend_->make_resident_images(e->train_->images, shape.elements());
  }
  if (e->resident_) e->device_images_ = e->backend_->allocate(batch_elements);
  for (auto* slot : {&e->slots_[0], &e->slots_[1], &e->spare_}) {
    if (!e->resident_) slot->images.resize(batch_elements);
    slot->labels.resize(static_cast<std::size_t>(setup.batch_size));
  }
  return e;
}

std::vector<float> compute_engine::initial_parameters() {
  model_->initialize(z_, setup_.seed);
  std::vector<float> x(z_.size());
  backend_->download(z_, x);
  return x;
}

void compute_engine::fill(std::uint64_t iteration, host_slot& slot) {
  const auto epoch = static_cast<int>(static_cast<std::int64_t>(iteration) / per_epoch_);
  if (epoch != order_epoch_) {
    order_ = sampler_->epoch_order(epoch);
    order_epoch_ = epoch;
  }
  const auto b = static_cast<std::size_t>(static_cast<std::int64_t>(iteration) % per_epoch_);
  const auto batch = static_cast<std::size_t>(setup_.batch_size);
  const std::size_t first = std::min(b * batch, order_.size());
  const std::size_t n = std::min(batch, order_.size() - first);
  const std::span<const std::size_t> indices{order_.data() + first, n};
  if (resident_) {
    // Queued after the step that read the buffer last (one stream).
    backend_->gather_images(*resident_, indices, device_images_);
    data::gather_labels(*train_, indices, slot.labels.data());
    slot.device_images = device_images_.data();
  } else {
    data::gather_batch(*train_, indices, slot.images.data(), slot.labels.data());
  }
  slot.size = static_cast<int>(n);
}

float compute_engine::gradient(std::uint64_t iteration) {
  int current = -1;  // slot index, -1: the spare
  if (static_cast<std::int64_t>(iteration) == prefetched_iteration_) {
    current = prefetched_slot_;
  } else {
    fill(iteration, spare_);
  }
  const host_slot& now = current < 0 ? spare_ : slots_[current];
  last_batch_size_ = now.size;
  model_->begin_forward_backward(z_, now.view(), grads_);
  // While the device computes: gather the next step's batch on the host and
  // announce it, so that its upload overlaps this step too (for ImageNet-
  // shaped batches the host copies took as long as the step itself).
  const int next = current == 0 ? 1 : 0;
  fill(iteration + 1, slots_[next]);
  model_->prefetch(slots_[next].view());
  prefetched_iteration_ = static_cast<std::int64_t>(iteration) + 1;
  prefetched_slot_ = next;
  return model_->end_forward_backward();
}

std::vector<float> compute_engine::gradient_copy() {
  std::vector<float> g(grads_.size());
  backend_->download(grads_, g);
  return g;
}

std::vector<float> compute_engine::momentum_copy() {
  std::vector<float> m(momentum_.size());
  backend_->download(momentum_, m);
  return m;
}

void compute_engine::set_momentum(std::span<const float> m) {
  backend_->upload(m, momentum_);
}

std::vector<float> compute_engine::running_stats_copy() {
  const auto stats = model_->running_stats();
  return {stats.begin(), stats.end()};
}

void compute_engine::set_running_stats(std::span<const float> stats) {
  auto mine = model_->running_stats();
  if (stats.size() == mine.size()) std::copy(stats.begin(), stats.end(), mine.begin());
}

void compute_engine::set_gradient(std::span<const float> g) {
  backend_->upload(g, grads_);
}

double compute_engine::lr_at(std::uint64_t iteration) const {
  return setup_.lr.at(static_cast<double>(iteration) / static_cast<double>(per_epoch_));
}

double compute_engine::step_delta(std::uint64_t iteration) {
  const double lr = lr_at(iteration);
  const auto& layout = model_->layout();
  backend_->sgd_delta(setup_.sgd, static_cast<float>(lr),
                      setup_.sgd.decay_all ? layout.total : layout.decayed, z_, grads_, momentum_,
                      delta_);
  return lr;
}

double compute_engine::step(std::uint64_t iteration) {
  const double lr = lr_at(iteration);
  const auto& layout = model_->layout();
  backend_->sgd_step(setup_.sgd, static_cast<float>(lr),
                     setup_.sgd.decay_all ? layout.total : layout.decayed, z_, grads_, momentum_);
  return lr;
}

test_score compute_engine::evaluate(const data::dataset& test) {
  return evaluate_with(z_, {}, test);
}

test_score compute_engine::evaluate(std::span<const float> z, std::span<const float> running_stats,
                                    const data::dataset& test) {
  gpu::buffer params = backend_->allocate(z.size());
  backend_->upload(z, params);
  return evaluate_with(params, running_stats, test);
}

test_score compute_engine::evaluate_with(const gpu::buffer& params, std::span<const float> stats,
                                         const data::dataset& test) {
  const auto own = model_->running_stats();
  const bool given = !stats.empty() && stats.size() == own.size();
  if (eval_model_) {
    // A model of its own takes the statistics; the training model keeps its.
    const std::span<const float> from = given ? stats : std::span<const float>(own);
    std::copy(from.begin(), from.end(), eval_model_->running_stats().begin());
    return runtime::evaluate(*eval_model_, params, test);
  }
  if (!given) return runtime::evaluate(*model_, params, test);
  const std::vector<float> saved(own.begin(), own.end());
  std::copy(stats.begin(), stats.end(), own.begin());
  const test_score score = runtime::evaluate(*model_, params, test);
  std::copy(saved.begin(), saved.end(), own.begin());
  return score;
}

}  // namespace sgp::runtime
