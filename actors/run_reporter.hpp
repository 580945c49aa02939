// The reporter of a group's run: metrics.jsonl (train, fault and command,
// consensus, eval and end lines), the progress line, the consensus
// measurements' bookkeeping, and the run summary. A plain object the
// supervisor owns, not an actor: a failed write must end the run at once,
// in the order the lines were written, and the summary is assembled from
// what the supervisor holds when the evaluation is back (docs/design.md §2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/embedding.hpp"
#include "actors/messages.hpp"
#include "core/collapse_watch.hpp"
#include "core/result.hpp"
#include "runtime/metrics_writer.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::actors {

/// What the reporter needs to know of the run (from the config and node 0's
/// engine), set once the group is built.
struct reporter_setup {
  std::string run;  ///< run.name
  std::string algorithm;
  std::string model;
  std::string backend;
  int epochs = 0;
  int batch_size = 0;
  std::size_t nodes = 0;
  std::int64_t per_epoch = 1;
  std::uint64_t total_iterations = 0;
  bool progress = true;               ///< output.progress
  std::uint64_t consensus_every = 0;  ///< output.consensus_every_iterations (0: never)
  int classes = 0;  ///< the data's; the training loss is watched for a collapse (< 2: not)
};

/// What the supervisor knows at the end of the run, for the summary.
struct run_facts {
  std::uint64_t iterations = 0;  ///< the global iteration
  double wall_seconds = 0.0;
  double lost_weight = 0.0;
  bool weight_exact = true;
};

using node_reports = std::vector<std::optional<iteration_report>>;

class run_reporter {
 public:
  /// Sets what the run is; the per-node records start empty.
  void configure(reporter_setup setup);

  /// Opens RUN_DIR/metrics.jsonl.
  [[nodiscard]] core::status open(const std::string& run_dir) { return metrics_.open_in(run_dir); }
  [[nodiscard]] bool is_open() const { return metrics_.is_open(); }

  /// Appends a line to metrics.jsonl.
  [[nodiscard]] core::status write(const std::string& line) { return metrics_.line(line); }

  /// Closes metrics.jsonl after a failure: what it can save.
  void close_after_failure() { (void)metrics_.close(); }

  /// A worker's report, seconds `run_time` into the run: its train line is
  /// written and it becomes the node's first (and past the warm-up, its
  /// steady-state) report as due. Gives the event for the subscribers.
  [[nodiscard]] core::result<iteration_event> record(const iteration_report& r, double run_time);

  /// Node `node` was revived: its new incarnation's timing starts afresh.
  void forget(std::size_t node);

  /// The progress line over the live nodes' last reports at `now` run
  /// seconds and global iteration `it`: nothing when drawn less than half a
  /// second ago (unless `force`), when disabled, or before any report.
  std::optional<std::string> progress_line(const std::vector<bool>& live, const node_reports& last,
                                           std::uint64_t it, double now, bool force);

  /// Whether a consensus measurement is due at global iteration `it`
  /// (output.consensus_every_iterations); the next one is then counted.
  bool consensus_due(std::uint64_t it);

  /// A measurement begins; false while one is under way.
  bool begin_consensus();

  /// The measurement at iteration `it`, `time` run seconds (nothing when no
  /// node answered): its consensus line is written.
  [[nodiscard]] core::status end_consensus(std::uint64_t it, double time,
                                           std::optional<double> distance);

  /// The last consensus distance measured during the run, if any.
  [[nodiscard]] std::optional<double> consensus() const { return consensus_; }

  /// The summary from the final snapshots `all`, the evaluations `evals`
  /// (each written as an eval line) and the nodes' last reports.
  [[nodiscard]] core::result<runtime::run_summary> summary(const run_facts& facts,
                                                           const std::vector<bool>& live,
                                                           const node_reports& last,
                                                           const std::vector<node_snapshot>& all,
                                                           const std::vector<eval_result>& evals);

  /// The end line (with `in_flight_weight` at the final evaluation), then
  /// metrics.jsonl closed; every byte checked.
  [[nodiscard]] core::status end_of_run(const runtime::run_summary& out, double in_flight_weight);

 private:
  double epoch_of(std::uint64_t it) const;

  reporter_setup setup_;
  runtime::metrics_writer metrics_;  ///< RUN_DIR/metrics.jsonl
  node_reports first_;               ///< first report per incarnation
  /// First report past the warm-up (a tenth of the run's iterations) per
  /// incarnation: where steady-state timing starts.
  node_reports steady_;
  double comm_wait_total_ = 0.0;  ///< seconds all nodes waited for in-neighbours
  double compute_total_ = 0.0;    ///< seconds all nodes computed
  double last_progress_ = -1.0;   ///< run seconds the progress line was drawn
  std::uint64_t next_consensus_ = 0;
  bool measuring_consensus_ = false;
  std::optional<double> consensus_;
  core::collapse_watch collapse_;
};

}  // namespace sgp::actors
