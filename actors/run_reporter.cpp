// The reporter of a group's run (see run_reporter.hpp).
#include "actors/run_reporter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "actors/group_measures.hpp"
#include "core/clock_text.hpp"
#include "core/metrics_lines.hpp"

namespace sgp::actors {

void run_reporter::configure(reporter_setup setup) {
  setup_ = std::move(setup);
  first_.assign(setup_.nodes, std::nullopt);
  steady_.assign(setup_.nodes, std::nullopt);
  next_consensus_ = setup_.consensus_every;
  collapse_ = core::collapse_watch(setup_.classes, setup_.nodes);
}

double run_reporter::epoch_of(std::uint64_t it) const {
  return static_cast<double>(it) / static_cast<double>(setup_.per_epoch);
}

core::result<iteration_event> run_reporter::record(const iteration_report& r, double run_time) {
  const iteration_event e{r.node,
                          r.iteration,
                          epoch_of(r.iteration),
                          run_time,
                          r.loss,
                          r.lr,
                          r.w,
                          r.comm_wait,
                          r.compute_seconds,
                          r.bytes_sent,
                          r.messages_late,
                          r.messages_lost,
                          r.messages_duplicate};
  if (auto st = metrics_.line(core::metrics::train_line(e)); !st.ok()) return st.err();
  const auto node = static_cast<std::size_t>(r.node);
  if (!first_[node]) first_[node] = r;
  // Warm-up: CUDA graph capture, memory pools growing, nodes settling into
  // their pace. Steady-state timing starts a tenth of the run in.
  const std::uint64_t warmup = std::max<std::uint64_t>(1, setup_.total_iterations / 10);
  if (!steady_[node] && r.iteration >= first_[node]->iteration + warmup) steady_[node] = r;
  comm_wait_total_ += r.comm_wait;
  compute_total_ += r.compute_seconds;
  collapse_.add(r.iteration, r.loss);
  return e;
}

void run_reporter::forget(std::size_t node) {
  first_[node].reset();
  steady_[node].reset();
}

std::optional<std::string> run_reporter::progress_line(const std::vector<bool>& live,
                                                       const node_reports& last, std::uint64_t it,
                                                       double now, bool force) {
  if (!setup_.progress) return std::nullopt;
  if (!force && now - last_progress_ < 0.5) return std::nullopt;
  last_progress_ = now;
  double loss = 0.0;
  double wait = 0.0;
  double busy = 0.0;
  int count = 0;
  std::uint64_t slowest_it = ~0ULL;
  int slowest = -1;
  std::uint64_t done_iterations = 0;
  for (std::size_t i = 0; i < last.size(); ++i) {
    if (!live[i] || !last[i]) continue;
    const auto& r = *last[i];
    loss += r.loss;
    wait += r.comm_wait;
    busy += r.comm_wait + r.compute_seconds;
    done_iterations += r.iteration;
    ++count;
    if (r.iteration < slowest_it) {
      slowest_it = r.iteration;
      slowest = r.node;
    }
  }
  if (count == 0) return std::nullopt;
  const double samples = static_cast<double>(done_iterations) * setup_.batch_size;
  // The run ends when the slowest node is done: its pace gives the ETA.
  const auto total = setup_.total_iterations;
  std::string eta = "--";
  if (slowest_it > 0 && slowest_it <= total) {
    eta = core::clock_text(now / static_cast<double>(slowest_it) *
                           static_cast<double>(total - slowest_it));
  }
  char text[320];
  std::snprintf(text, sizeof(text),
                "it %llu/%llu  epoch %.2f/%d  elapsed %s  eta %s  loss %.4f  %.0f samples/s  "
                "comm wait %.0f%%  slowest node %d (it %llu)",
                static_cast<unsigned long long>(it), static_cast<unsigned long long>(total),
                epoch_of(it), setup_.epochs, core::clock_text(now).c_str(), eta.c_str(),
                loss / count, samples / std::max(now, 1e-9), busy > 0 ? 100.0 * wait / busy : 0.0,
                slowest, static_cast<unsigned long long>(slowest_it));
  return std::string(text);
}

bool run_reporter::consensus_due(std::uint64_t it) {
  if (next_consensus_ == 0 || it < next_consensus_) return false;
  next_consensus_ += setup_.consensus_every;
  return true;
}

bool run_reporter::begin_consensus() {
  if (measuring_consensus_) return false;
  measuring_consensus_ = true;
  return true;
}

core::status run_reporter::end_consensus(std::uint64_t it, double time,
                                         std::optional<double> distance) {
  measuring_consensus_ = false;
  if (!distance) return {};
  consensus_ = distance;
  return metrics_.line(core::metrics::consensus_line(it, time, *distance));
}

core::result<runtime::run_summary> run_reporter::summary(const run_facts& facts,
                                                         const std::vector<bool>& live,
                                                         const node_reports& last,
                                                         const std::vector<node_snapshot>& all,
                                                         const std::vector<eval_result>& evals) {
  const std::size_t n = setup_.nodes;
  runtime::run_summary out;
  out.run = setup_.run;
  out.algorithm = setup_.algorithm;
  out.model = setup_.model;
  out.backend = setup_.backend;
  out.epochs = setup_.epochs;
  out.nodes = static_cast<int>(n);
  out.live_nodes = static_cast<int>(all.size());
  out.iterations = facts.iterations;
  out.wall_seconds = facts.wall_seconds;
  out.test_accuracy_per_node.assign(n, std::nan(""));
  for (const auto& e : evals) {
    const auto node = static_cast<std::size_t>(e.node);
    const std::uint64_t it =
        e.node >= 0 && node < n && last[node] ? last[node]->iteration : out.iterations;
    auto written = metrics_.line(
        core::metrics::eval_line({e.node, it, epoch_of(it), out.wall_seconds, e.loss, e.accuracy}));
    if (!written.ok()) return written.err();
    if (e.node < 0) {
      out.test_accuracy_mean_model = e.accuracy;
      out.test_loss_mean_model = e.loss;
    } else {
      out.test_accuracy_per_node[node] = e.accuracy;
    }
  }
  out.total_weight = total_weight(all);
  out.expected_total_weight = static_cast<double>(n) - facts.lost_weight;
  out.weight_exact = facts.weight_exact;
  // Time per iteration of each live node between two of its reports: the
  // slowest node's, and the mean over nodes.
  struct rates {
    double slowest = 0.0;
    double mean = 0.0;
  };
  // `steady`: from each node's first report past the warm-up, or from its
  // first report where it has none (a short run, a late revival).
  auto per_iteration = [&](bool steady) {
    rates r;
    int counted = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& a = steady && steady_[i] ? steady_[i] : first_[i];
      const auto& b = last[i];
      if (!live[i] || !a || !b || b->iteration <= a->iteration) continue;
      const double t = (b->time - b->paused - a->time + a->paused) /
                       static_cast<double>(b->iteration - a->iteration);
      r.slowest = std::max(r.slowest, t);
      r.mean += t;
      ++counted;
    }
    if (counted > 0) r.mean /= counted;
    return r;
  };
  const rates whole = per_iteration(false);
  const rates steady = per_iteration(true);
  out.seconds_per_iteration_whole = whole.slowest;
  out.seconds_per_iteration = steady.slowest;
  out.seconds_per_iteration_mean = steady.mean;
  std::uint64_t iterations = 0;
  for (const auto& r : last) {
    if (!r) continue;
    out.bytes_sent += r->bytes_sent;
    out.messages_lost += r->messages_lost;
    out.messages_duplicate += r->messages_duplicate;
    out.messages_late += r->messages_late;
    iterations += r->iteration;
  }
  int reporting = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!live[i] || !last[i]) continue;
    out.train_loss += last[i]->loss;
    ++reporting;
  }
  if (reporting > 0) out.train_loss /= reporting;
  const double busy = comm_wait_total_ + compute_total_;
  out.mean_comm_wait_fraction = busy > 0.0 ? comm_wait_total_ / busy : 0.0;
  out.consensus_distance = consensus_distance(all, mean_model(all));
  out.samples_per_second =
      static_cast<double>(iterations) * setup_.batch_size / std::max(out.wall_seconds, 1e-9);
  if (auto collapsed = collapse_.verdict()) out.collapse = std::move(*collapsed);
  return out;
}

core::status run_reporter::end_of_run(const runtime::run_summary& out, double in_flight_weight) {
  auto written =
      metrics_.end_of_run({out.iterations, out.wall_seconds, out.consensus_distance,
                           out.total_weight, out.expected_total_weight, in_flight_weight});
  auto closed = metrics_.close();
  if (written.ok()) written = closed;
  return written;
}

}  // namespace sgp::actors
