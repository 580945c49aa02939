// One node's compute side, without actors: its model replica on a backend,
// momentum, data shard, learning-rate schedule and test-set evaluation. The
// compute actor wraps it; the single-node trainer loops over it. Given the
// de-biased model z and an iteration it computes the gradient on that
// iteration's batch and the optimizer's step, as a delta to add to x (a
// push-sum node) or applied to z in place (a node alone, where x = z).
//
// z and delta live in the backend's memory (on a GPU, on the GPU): the node's
// worker writes z through its mass space (made here, on the same backend)
// and adds delta to x, so a step never copies the model to the host. Worker
// and compute take turns on the two buffers, ordered by the step and
// step-done messages (and, on a GPU, by the space's events).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/lr_schedule.hpp"
#include "core/result.hpp"
#include "data/dataset.hpp"
#include "data/shard_sampler.hpp"
#include "gpu/backend.hpp"
#include "runtime/evaluation.hpp"

namespace sgp::runtime {

/// What a node's compute needs to know.
struct compute_setup {
  std::string backend = "cpu";
  int threads = 1;
  int device = 0;  ///< GPU id for the cuda backend
  /// backend.conv_search = "reproducible" (process-wide; see
  /// gpu::set_reproducible_convolutions).
  bool reproducible_convolutions = false;
  std::string model = "cnn";
  int batch_size = 64;
  /// Batch of a model of its own for evaluations; 0: evaluations run on the
  /// training model, in batches of batch_size.
  int eval_batch_size = 0;
  /// Hold the training images in the backend's memory when it can
  /// (gpu::backend::make_resident_images: a GPU with room for them) and
  /// gather batches there; false: always gather on the host.
  bool resident_images = true;
  int node = 0;
  int nodes = 1;
  std::uint64_t seed = 1;
  gpu::sgd_options sgd;
  core::lr_schedule lr;
};

class compute_engine {
 public:
  /// Builds the backend, the model and the buffers for `train` (shared,
  /// read-only across nodes).
  static core::result<std::unique_ptr<compute_engine>> create(
      const compute_setup& setup, std::shared_ptr<const data::dataset> train);

  [[nodiscard]] std::size_t parameters() const { return layout().total; }
  [[nodiscard]] const gpu::param_layout& layout() const { return model_->layout(); }
  [[nodiscard]] std::int64_t iterations_per_epoch() const { return per_epoch_; }
  [[nodiscard]] gpu::model& model() { return *model_; }
  [[nodiscard]] gpu::backend& backend() { return *backend_; }
  /// Whether batches are gathered from images in backend memory
  /// (compute_setup::resident_images and a backend with room for them).
  [[nodiscard]] bool resident_images() const { return resident_ != nullptr; }

  /// The initial parameters (same seed on every node: same start).
  [[nodiscard]] std::vector<float> initial_parameters();

  /// A push-sum mass space on this engine's backend starting from `x`.
  [[nodiscard]] std::unique_ptr<core::mass_space> make_space(std::span<const float> x) {
    return backend_->make_mass_space(x);
  }
  /// Where the worker writes z for the next step (backend memory).
  [[nodiscard]] gpu::buffer& z_buffer() { return z_; }
  /// Where the step's delta is once step_delta returned (backend memory).
  [[nodiscard]] const gpu::buffer& delta_buffer() const { return delta_; }

  /// Forward and backward at z (z_buffer()) on the batch of `iteration`;
  /// keeps the gradient and returns the mean loss.
  float gradient(std::uint64_t iteration);
  /// Samples in the batch of the last `gradient` (an epoch's last batch may
  /// be short).
  [[nodiscard]] int last_batch_size() const { return last_batch_size_; }

  /// The gradient that `gradient` computed (backend memory). ar-sgd on
  /// GPUs averages it in place there (gpu::device_allreduce) while the
  /// compute actor waits for the average.
  [[nodiscard]] gpu::buffer& gradient_buffer() { return grads_; }

  /// The gradient that `gradient` computed (host copy).
  [[nodiscard]] std::vector<float> gradient_copy();
  /// Replaces the gradient (AllReduce: the average of every node's).
  void set_gradient(std::span<const float> g);

  /// The momentum buffer (backend memory), for a checkpoint that saves it as is.
  [[nodiscard]] gpu::buffer& momentum_buffer() { return momentum_; }
  /// The momentum buffer (host copy), for checkpoints; and its restore.
  [[nodiscard]] std::vector<float> momentum_copy();
  void set_momentum(std::span<const float> m);
  /// The batch-norm statistics (a copy; empty without batch norm), and
  /// their restore (ignored when the size differs).
  [[nodiscard]] std::vector<float> running_stats_copy();
  void set_running_stats(std::span<const float> stats);

  /// The optimizer's step from z with the current gradient at the lr of
  /// `iteration`, as a delta (delta_buffer()); returns the lr.
  double step_delta(std::uint64_t iteration);
  /// The same step applied to z_buffer() in place, for a node training
  /// alone (w = 1, x = z); returns the lr.
  double step(std::uint64_t iteration);

  /// Test score of the parameters in z_buffer() with the model's running
  /// statistics.
  test_score evaluate(const data::dataset& test);
  /// Test score of `z` (host memory) with `running_stats` (the model's own
  /// when empty or of another size); z_buffer() and the model's statistics
  /// are left as they were.
  test_score evaluate(std::span<const float> z, std::span<const float> running_stats,
                      const data::dataset& test);

 private:
  compute_engine() = default;

  /// The lr schedule at `iteration` (in epochs: iteration / iterations per epoch).
  [[nodiscard]] double lr_at(std::uint64_t iteration) const;
  /// Evaluates `params` with `stats` as the running statistics, on the
  /// evaluation model if there is one, else on the training model (whose
  /// statistics are put back afterwards).
  test_score evaluate_with(const gpu::buffer& params, std::span<const float> stats,
                           const data::dataset& test);

  std::unique_ptr<gpu::backend> backend_;
  std::unique_ptr<gpu::model> model_;
  std::unique_ptr<gpu::model> eval_model_;  ///< null: evaluate on model_
  std::shared_ptr<const data::dataset> train_;
  std::unique_ptr<data::shard_sampler> sampler_;
  compute_setup setup_;
  std::int64_t per_epoch_ = 1;
  int order_epoch_ = -1;
  std::vector<std::size_t> order_;
  gpu::buffer z_;
  gpu::buffer delta_;
  gpu::buffer grads_;
  gpu::buffer momentum_;
  /// A host batch: gathered samples of one iteration.
  struct host_slot {
    std::vector<float> images;
    std::vector<std::int32_t> labels;
    int size = 0;
    /// The batch's images in backend memory (resident images), else null.
    const float* device_images = nullptr;
    [[nodiscard]] gpu::host_batch view() const {
      return {device_images != nullptr ? device_images : images.data(), labels.data(), size};
    }
  };
  /// Gathers the batch of `iteration` into `slot`.
  void fill(std::uint64_t iteration, host_slot& slot);
  /// Two slots alternate: the batch of step k and the one of step k+1,
  /// announced to the model (prefetch) before step k runs. A step that was
  /// not announced (a revived node jumps iterations) uses the spare.
  /// The training images in backend memory (null: batches come from the
  /// host), and where a batch is gathered from them. All of it is queued on
  /// the backend's one stream, so step k has read this buffer before step
  /// k+1's batch is gathered into it.
  std::shared_ptr<const gpu::resident_images> resident_;
  gpu::buffer device_images_;
  host_slot slots_[2];
  host_slot spare_;
  std::int64_t prefetched_iteration_ = -1;
  int prefetched_slot_ = 0;
  int last_batch_size_ = 0;
};

}  // namespace sgp::runtime
