// Implementation of the single-node training loop (see single_node_trainer.hpp).
#include "apps/single_node_trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include "apps/node_checkpoint.hpp"
#include "apps/progress.hpp"
#include "apps/run_files.hpp"
#include "core/log.hpp"
#include "core/text_file.hpp"
#include "runtime/compute_engine.hpp"
#include "runtime/datasets.hpp"
#include "runtime/group_plan.hpp"
#include "runtime/metrics_writer.hpp"
#include "runtime/model_file.hpp"
#include "runtime/run_limits.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::apps {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// The same fields as a multi-node run's summary (docs/metrics.md).
std::string summary_json(const config::config& cfg, const train_outcome& out, std::int64_t trained,
                         double steady_seconds, std::int64_t steady_from) {
  runtime::run_summary j;
  j.run = cfg.run.name;
  j.algorithm = cfg.algorithm.name;
  j.model = cfg.model.name;
  j.backend = cfg.backend.name;
  j.epochs = cfg.schedule.epochs;
  j.nodes = 1;
  j.live_nodes = 1;
  j.iterations = static_cast<std::uint64_t>(out.iterations);
  j.wall_seconds = out.wall_seconds;
  j.samples_per_second =
      static_cast<double>(trained) * cfg.data.batch_size / std::max(out.wall_seconds, 1e-9);
  const double whole = trained > 0 ? out.train_seconds / static_cast<double>(trained) : 0.0;
  const std::int64_t steady = trained - steady_from;
  j.seconds_per_iteration_whole = whole;
  j.seconds_per_iteration = steady > 0 ? steady_seconds / static_cast<double>(steady) : whole;
  j.seconds_per_iteration_mean = j.seconds_per_iteration;
  j.train_loss = out.train_loss;
  j.test_accuracy_mean_model = out.test_accuracy;
  j.test_loss_mean_model = out.test_loss;
  j.test_accuracy_per_node = {out.test_accuracy};
  // One node keeps all the push-sum weight; nothing is ever in flight.
  j.total_weight = 1.0;
  j.expected_total_weight = 1.0;
  return j.json();
}

}  // namespace

core::result<train_outcome> train_single_node(const config::config& cfg,
                                              const config::settings& set,
                                              const std::optional<std::string>& resume) {
  if (cfg.cluster.nodes != 1) {
    return core::make_error(cfg.source + ": cluster.nodes = " + std::to_string(cfg.cluster.nodes) +
                            ": this build trains one node; multi-node runs need the actor runtime");
  }
  auto sets = runtime::load_datasets(cfg.data, set.data, cfg.run.seed);
  if (!sets.ok()) return sets.err();
  const data::dataset& test = sets->test;
  const auto memory = core::physical_memory_bytes();
  if (auto st = runtime::check_datasets(cfg, set, sets->train, test); !st.ok()) return st.err();
  if (auto st = runtime::check_batch_memory(cfg, sets->train.sample_elements(), memory); !st.ok()) {
    return st.err();
  }

  // The engine a group's compute actor wraps, with a model of its own for
  // evaluations (data.eval_batch_size).
  runtime::compute_setup setup = runtime::compute_setup_of(cfg, set, 1);
  setup.eval_batch_size = cfg.data.eval_batch_size;
  auto made = runtime::compute_engine::create(
      setup, std::make_shared<const data::dataset>(std::move(sets->train)));
  if (!made.ok()) return made.err();
  runtime::compute_engine& engine = **made;
  const gpu::param_layout& layout = engine.layout();

  // A node alone keeps all the weight: x = z, trained in the engine's z buffer.
  double w = 1.0;
  std::int64_t iteration = 0;
  const node_state state{
      engine.backend(), engine.model(), engine.z_buffer(), engine.momentum_buffer(), w, iteration};
  const run_identity identity{cfg.model.name, cfg.run.seed, cfg.data.batch_size};

  const run_paths paths{cfg.run.dir};
  if (auto st = make_run_dir(paths); !st.ok()) return st.err();
  if (resume) {
    const std::string ckpt = resolve_checkpoint(*resume);
    if (auto st = load_node_state(state, identity, ckpt); !st.ok()) {
      return st.err().with_context("--resume");
    }
    core::logf(core::log_level::info, "", {}, "resumed from %s at iteration %lld", ckpt.c_str(),
               static_cast<long long>(iteration));
  } else {
    engine.model().initialize(engine.z_buffer(), setup.seed);
  }

  const std::int64_t per_epoch = engine.iterations_per_epoch();
  const std::int64_t epoch_iterations = per_epoch * cfg.schedule.epochs;
  // schedule.max_iterations ends a quick run early; the lr schedule keeps its epochs.
  const std::int64_t total_iterations =
      cfg.schedule.max_iterations > 0 ? std::min(epoch_iterations, cfg.schedule.max_iterations)
                                      : epoch_iterations;
  if (iteration > epoch_iterations) {
    return core::make_error(
        "--resume: checkpoint is at iteration " + std::to_string(iteration) + ", past the " +
        std::to_string(epoch_iterations) +
        " iterations of schedule.epochs = " + std::to_string(cfg.schedule.epochs));
  }

  runtime::metrics_writer metrics;
  if (auto st = metrics.open_in(cfg.run.dir); !st.ok()) return st.err();
  if (resume) {
    // The earlier lines stay; this one says where the new ones begin.
    if (auto st =
            metrics.resume(static_cast<std::uint64_t>(iteration), resolve_checkpoint(*resume));
        !st.ok()) {
      return st.err();
    }
  }
  progress_line progress(cfg.output.progress, cfg.output.progress_every_iterations);

  train_outcome out;
  // Steady-state timing (summary's seconds_per_iteration) starts a tenth of
  // the way in, as in a group's summary.
  std::int64_t trained = 0;
  const std::int64_t steady_from = std::max<std::int64_t>(1, (total_iterations - iteration) / 10);
  double steady_seconds = 0.0;
  const auto run_start = clock_type::now();
  for (auto epoch = static_cast<int>(iteration / per_epoch); epoch < cfg.schedule.epochs; ++epoch) {
    const auto epoch_start = clock_type::now();
    double loss_sum = 0.0;
    std::int64_t samples = 0;
    if (iteration >= total_iterations) break;
    const std::int64_t epoch_end = std::min(per_epoch, total_iterations - epoch * per_epoch);
    for (std::int64_t b = iteration - epoch * per_epoch; b < epoch_end; ++b) {
      const auto step_start = clock_type::now();
      const auto it = static_cast<std::uint64_t>(iteration);
      const float loss = engine.gradient(it);
      const double compute_seconds = seconds_since(step_start);
      if (!std::isfinite(loss)) {
        return core::make_error("training diverged at iteration " + std::to_string(iteration) +
                                " (loss is " + std::to_string(loss) +
                                "): lower optimizer.lr or add schedule.warmup_epochs");
      }
      const double lr = engine.step(it);
      ++iteration;
      const auto n = static_cast<std::int64_t>(engine.last_batch_size());
      loss_sum += loss * static_cast<double>(n);
      samples += n;

      const double elapsed = seconds_since(epoch_start);
      const double step_seconds = seconds_since(step_start);
      ++trained;
      out.train_seconds += step_seconds;
      if (trained > steady_from) steady_seconds += step_seconds;
      core::metrics::train_record r;
      r.iteration = static_cast<std::uint64_t>(iteration);
      r.epoch = static_cast<double>(iteration) / static_cast<double>(per_epoch);
      r.time = seconds_since(run_start);
      r.loss = loss;
      r.lr = lr;
      r.w = w;
      r.compute = compute_seconds;
      if (auto st = metrics.train(r); !st.ok()) return st.err();
      progress.update({epoch + 1, cfg.schedule.epochs, b + 1, per_epoch, loss_sum / samples, lr,
                       samples / std::max(elapsed, 1e-9)});
    }
    const double epoch_seconds = seconds_since(epoch_start);
    const auto score = engine.evaluate(test);
    if (!std::isfinite(score.loss)) {
      // The last step broke the model after its loss was taken.
      return core::make_error("training diverged after iteration " + std::to_string(iteration) +
                              " (the model's test loss is not finite): lower optimizer.lr or "
                              "add schedule.warmup_epochs");
    }
    out.train_loss = samples > 0 ? loss_sum / samples : 0.0;
    out.test_accuracy = score.accuracy;
    out.test_loss = score.loss;
    out.epoch_seconds.push_back(epoch_seconds);
    if (auto st = metrics.eval({0, static_cast<std::uint64_t>(iteration),
                                static_cast<double>(iteration) / static_cast<double>(per_epoch),
                                seconds_since(run_start), out.test_loss, out.test_accuracy});
        !st.ok()) {
      return st.err();
    }
    if (auto st = metrics.flush(); !st.ok()) return st.err();
    char line[256];
    std::snprintf(line, sizeof(line),
                  "epoch %d/%d: train loss %.4f  test loss %.4f  test accuracy %.2f%%  %.1f s "
                  "(%.0f samples/s)",
                  epoch + 1, cfg.schedule.epochs, out.train_loss, out.test_loss,
                  100.0 * out.test_accuracy, epoch_seconds,
                  samples / std::max(epoch_seconds, 1e-9));
    progress.finish_line(line);

    const int every = cfg.output.checkpoint_every_epochs;
    const bool last = epoch + 1 == cfg.schedule.epochs || iteration >= total_iterations;
    if (last || (every > 0 && (epoch + 1) % every == 0)) {
      if (auto st = save_node_state(state, identity, paths.checkpoint()); !st.ok()) {
        return st.err();
      }
    }
  }
  if (out.epoch_seconds.empty()) {
    // Resumed at the very end: nothing to train, report the model as it is.
    const auto score = engine.evaluate(test);
    out.test_accuracy = score.accuracy;
    out.test_loss = score.loss;
  }
  out.iterations = iteration;
  out.wall_seconds = seconds_since(run_start);
  // The one node's model is the averaged model (node -1), as in a group's
  // final evaluation; then the end of the run.
  const auto it = static_cast<std::uint64_t>(iteration);
  const double epochs_done = static_cast<double>(iteration) / static_cast<double>(per_epoch);
  if (auto st =
          metrics.eval({-1, it, epochs_done, out.wall_seconds, out.test_loss, out.test_accuracy});
      !st.ok()) {
    return st.err();
  }
  if (auto st = metrics.end_of_run({it, out.wall_seconds, 0.0, 1.0, 1.0}); !st.ok()) {
    return st.err();
  }
  if (auto st = metrics.close(); !st.ok()) return st.err();
  // The trained model, for PyTorch (ResNets have no module here to load it).
  if (!config::is_resnet(set.model)) {
    std::vector<float> params(layout.total);
    engine.backend().download(engine.z_buffer(), params);
    if (auto st = runtime::save_model_file(cfg.run.dir + "/model.safetensors", cfg, set, layout,
                                           params, engine.running_stats_copy(),
                                           static_cast<std::uint64_t>(iteration));
        !st.ok()) {
      return st.err();
    }
  }
  if (auto st = core::write_file_atomically(
          paths.summary(), summary_json(cfg, out, trained, steady_seconds, steady_from));
      !st.ok()) {
    return st.err();
  }
  return out;
}

}  // namespace sgp::apps
