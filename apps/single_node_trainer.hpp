// One node training on its own: the loop that `sgp train` runs when
// cluster.nodes = 1, over the engine a group's compute actor wraps
// (runtime::compute_engine: its batches, lr schedule, SGD step and
// evaluation). Per-iteration metrics, evaluation every epoch, atomic
// checkpoints and bit-exact resume.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/result.hpp"

namespace sgp::apps {

/// What a finished run reports (and writes into summary.json).
struct train_outcome {
  std::int64_t iterations = 0;  ///< total, including those before a resume
  double wall_seconds = 0.0;    ///< this process's training time
  double train_seconds = 0.0;   ///< of which in training steps (evaluations left out)
  double test_accuracy = 0.0;   ///< after the last epoch
  double test_loss = 0.0;
  double train_loss = 0.0;            ///< mean over the last epoch
  std::vector<double> epoch_seconds;  ///< epochs run by this process
};

/// Trains to cfg.schedule.epochs. `resume` is a run directory or a checkpoint
/// file to continue from; the run directory is cfg.run.dir.
core::result<train_outcome> train_single_node(const config::config& cfg,
                                              const config::settings& set,
                                              const std::optional<std::string>& resume);

}  // namespace sgp::apps
