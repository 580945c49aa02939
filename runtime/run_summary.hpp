// What a finished run reports and writes to summary.json: the same fields
// from the single-node trainer and the actor runtime (docs/metrics.md).
// Plain data, no CAF: apps/ reads and fills it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sgp::runtime {

struct run_summary {
  std::string run;  ///< run.name
  std::string algorithm;
  std::string model;
  std::string backend;
  int epochs = 0;  ///< schedule.epochs
  int nodes = 0;
  int live_nodes = 0;
  std::uint64_t iterations = 0;  ///< the largest iteration any live node reached
  double wall_seconds = 0.0;
  /// Mean training loss: over the last epoch (one node), of the live nodes'
  /// last iterations (several).
  double train_loss = 0.0;
  double test_accuracy_mean_model = 0.0;
  double test_loss_mean_model = 0.0;
  std::vector<double> test_accuracy_per_node;  ///< NaN for dead nodes
  double total_weight = 0.0;                   ///< live nodes' w plus in flight among them
  double expected_total_weight = 0.0;          ///< n minus what dead nodes took with them
  bool weight_exact = true;      ///< false after a failure that could not be accounted
  std::uint64_t bytes_sent = 0;  ///< gossip pushes of every node (0 for ar-sgd, none)
  std::uint64_t messages_lost = 0;
  std::uint64_t messages_duplicate = 0;
  std::uint64_t messages_late = 0;
  double consensus_distance = 0.0;  ///< final max_i |z_i - mean| / |mean|
  double mean_comm_wait_fraction = 0.0;
  double samples_per_second = 0.0;
  /// Steady-state time per iteration of the slowest live node: from its
  /// report a tenth of the run's iterations in (warm-up left out) to its
  /// last (the final evaluation left out); from its first report where it
  /// has none past the warm-up (a short run, a node revived late).
  double seconds_per_iteration = 0.0;
  /// The same from each node's first report (warm-up included).
  double seconds_per_iteration_whole = 0.0;
  /// Steady-state time per iteration, the mean over live nodes (the inverse
  /// of the group's throughput per node).
  double seconds_per_iteration_mean = 0.0;
  /// Empty, or why the run is judged collapsed (core/collapse_watch.hpp:
  /// its training loss fell and went back to chance level); `sgp train`
  /// also warns with it.
  std::string collapse;

  /// The summary as one JSON object (docs/metrics.md).
  [[nodiscard]] std::string json() const;
};

}  // namespace sgp::runtime
