// The supervisor's measurements over every node's model: the consensus
// distance during the run and the end of the run (the drain, evaluation of
// every node and of the averaged model, the weight accounting,
// summary.json); group checkpoints are in supervisor_checkpoint.cpp (see
// supervisor_state.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "actors/sender_actor.hpp"
#include "actors/supervisor_state.hpp"
#include "actors/terminal.hpp"
#include "core/checkpoint.hpp"
#include "core/json.hpp"
#include "core/metrics_lines.hpp"
#include "core/safetensors.hpp"
#include "gpu/torch_state.hpp"

namespace sgp::actors {
namespace {

using snapshots = std::vector<node_snapshot>;

/// The group is over: every node and helper goes, then the supervisor.
void shut_down(supervisor_ptr self) {
  auto& s = self->state;
  for (const auto& n : s.nodes) {
    for (const auto& a : {n.worker, n.compute, n.sender}) {
      if (a) self->send_exit(a, caf::exit_reason::user_shutdown);
    }
  }
  if (s.allreduce) self->send_exit(s.allreduce, caf::exit_reason::user_shutdown);
  s.on(core::phase_event::shut_down);
  self->quit();
}

/// Asks every live worker for its snapshot (with z) and calls `then` with all.
template <class F>
void collect_snapshots(supervisor_ptr self, F then) {
  auto& s = self->state;
  auto all = std::make_shared<snapshots>();
  auto remaining = std::make_shared<int>(0);
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.view.live[i]) ++*remaining;
  }
  if (*remaining == 0) {
    then(*all);
    return;
  }
  for (std::size_t i = 0; i < s.n; ++i) {
    if (!s.view.live[i]) continue;
    self->request(s.nodes[i].worker, caf::infinite, final_atom::value, true)
        .then(
            [=](node_snapshot& snap) {
              all->push_back(std::move(snap));
              if (--*remaining == 0) then(*all);
            },
            [=](const caf::error&) {
              if (--*remaining == 0) then(*all);
            });
  }
}

/// The mean of the nodes' z (the averaged model).
std::vector<float> mean_model(const snapshots& all) {
  std::vector<double> sum;
  int count = 0;
  for (const auto& sn : all) {
    if (!sn.z) continue;
    if (sum.empty()) sum.assign(sn.z->size(), 0.0);
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += (*sn.z)[k];
    ++count;
  }
  std::vector<float> mean(sum.size());
  for (std::size_t k = 0; k < sum.size(); ++k) mean[k] = static_cast<float>(sum[k] / count);
  return mean;
}

/// max_i |z_i - mean| / |mean| (Euclidean norms).
double consensus_distance(const snapshots& all, const std::vector<float>& mean) {
  double mean_norm = 0.0;
  for (const float v : mean) mean_norm += static_cast<double>(v) * v;
  mean_norm = std::sqrt(mean_norm);
  double worst = 0.0;
  for (const auto& sn : all) {
    if (!sn.z) continue;
    double d = 0.0;
    for (std::size_t k = 0; k < mean.size(); ++k) {
      const double e = static_cast<double>((*sn.z)[k]) - mean[k];
      d += e * e;
    }
    worst = std::max(worst, std::sqrt(d));
  }
  return mean_norm > 0.0 ? worst / mean_norm : worst;
}

/// Weight in flight between the live nodes of `all` (sent, not applied).
double in_flight_weight(const snapshots& all) {
  double total = 0.0;
  for (const auto& a : all) {
    for (const auto& b : all) {
      if (a.node == b.node) continue;
      total += std::abs(a.sent_weight[static_cast<std::size_t>(b.node)] -
                        b.applied_weight[static_cast<std::size_t>(a.node)]);
    }
  }
  return total;
}

/// Live nodes' w plus what is in flight between live nodes.
double total_weight(const snapshots& all) {
  double total = 0.0;
  for (const auto& a : all) {
    total += a.w;
    for (const auto& b : all) {
      if (a.node == b.node) continue;
      total += a.sent_weight[static_cast<std::size_t>(b.node)] -
               b.applied_weight[static_cast<std::size_t>(a.node)];
    }
  }
  return total;
}

/// Writes `params` and `stats` of the run's model to `path` (safetensors,
/// PyTorch's names).
core::status save_model(supervisor_ptr self, const std::string& path,
                        const std::vector<float>& params, const std::vector<float>& stats,
                        std::uint64_t iterations) {
  auto& s = self->state;
  const runtime::compute_engine* engine = nullptr;
  for (const auto& n : s.nodes) {
    if (n.engine) engine = n.engine.get();
  }
  if (engine == nullptr) return core::make_error(path + ": no node's model to lay it out");
  auto tensors = gpu::torch_state(s.cfg.model.name, engine->layout(), params, stats,
                                  static_cast<std::int64_t>(iterations));
  if (!tensors.ok()) return tensors.err().with_context(path);
  return core::write_safetensors(
      path, *tensors,
      {{"format", "pt"}, {"model", s.cfg.model.name}, {"algorithm", s.cfg.algorithm.name}});
}

/// The averaged model (and, with output.save_node_models, each live node's)
/// into the run directory; nothing when no node was live at the end.
core::status save_models(supervisor_ptr self, const snapshots& all, std::uint64_t iterations) {
  auto& s = self->state;
  // ResNets have no PyTorch module here to be saved as (gpu/torch_state.hpp).
  if (config::is_resnet(s.settings.model)) return {};
  if (s.final_mean && !s.final_mean->empty()) {
    auto st = save_model(self, s.cfg.run.dir + "/model.safetensors", *s.final_mean, s.final_stats,
                         iterations);
    if (!st.ok()) return st;
  }
  if (!s.cfg.output.save_node_models) return {};
  for (const auto& sn : all) {
    if (!sn.z) continue;
    auto st =
        save_model(self, s.cfg.run.dir + "/model-node-" + std::to_string(sn.node) + ".safetensors",
                   *sn.z, s.final_node_stats[static_cast<std::size_t>(sn.node)], sn.iteration);
    if (!st.ok()) return st;
  }
  return {};
}

void summarize(supervisor_ptr self, const snapshots& all,
               const std::shared_ptr<std::vector<eval_result>>& evals) {
  auto& s = self->state;
  if (s.cfg.output.progress) end_progress();
  runtime::run_summary out;
  out.run = s.cfg.run.name;
  out.algorithm = s.cfg.algorithm.name;
  out.model = s.cfg.model.name;
  out.backend = s.cfg.backend.name;
  out.epochs = s.cfg.schedule.epochs;
  out.nodes = static_cast<int>(s.n);
  out.live_nodes = static_cast<int>(all.size());
  out.iterations = global_iteration(s);
  out.wall_seconds = run_seconds(self);
  out.test_accuracy_per_node.assign(s.n, std::nan(""));
  const auto epoch_of = [&](std::uint64_t it) {
    return static_cast<double>(it) / static_cast<double>(s.per_epoch);
  };
  for (const auto& e : *evals) {
    const auto node = static_cast<std::size_t>(e.node);
    const std::uint64_t it =
        e.node >= 0 && node < s.n && s.last[node] ? s.last[node]->iteration : out.iterations;
    // A failed write has ended the run (abort_run).
    if (!write_metrics(self, core::metrics::eval_line({e.node, it, epoch_of(it), out.wall_seconds,
                                                       e.loss, e.accuracy}))) {
      return;
    }
    if (e.node < 0) {
      out.test_accuracy_mean_model = e.accuracy;
      out.test_loss_mean_model = e.loss;
    } else {
      out.test_accuracy_per_node[static_cast<std::size_t>(e.node)] = e.accuracy;
    }
  }
  out.total_weight = total_weight(all);
  out.expected_total_weight = static_cast<double>(s.n) - s.lost_weight;
  out.weight_exact = s.weight_exact;
  std::uint64_t iterations = 0;
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
    for (std::size_t i = 0; i < s.n; ++i) {
      const auto& a = steady && s.steady[i] ? s.steady[i] : s.first[i];
      const auto& b = s.last[i];
      if (!s.view.live[i] || !a || !b || b->iteration <= a->iteration) continue;
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
  for (const auto& r : s.last) {
    if (!r) continue;
    out.bytes_sent += r->bytes_sent;
    out.messages_lost += r->messages_lost;
    out.messages_duplicate += r->messages_duplicate;
    out.messages_late += r->messages_late;
    iterations += r->iteration;
  }
  int reporting = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (!s.view.live[i] || !s.last[i]) continue;
    out.train_loss += s.last[i]->loss;
    ++reporting;
  }
  if (reporting > 0) out.train_loss /= reporting;
  const double busy = s.comm_wait_total + s.compute_total;
  out.mean_comm_wait_fraction = busy > 0.0 ? s.comm_wait_total / busy : 0.0;
  out.consensus_distance = consensus_distance(all, mean_model(all));
  out.samples_per_second =
      static_cast<double>(iterations) * s.cfg.data.batch_size / std::max(out.wall_seconds, 1e-9);
  // Every byte checked: a run whose files did not reach the disk fails.
  auto written =
      s.metrics.end_of_run({out.iterations, out.wall_seconds, out.consensus_distance,
                            out.total_weight, out.expected_total_weight, s.final_in_flight_weight});
  auto closed = s.metrics.close();
  if (written.ok()) written = closed;
  if (written.ok()) written = save_models(self, all, out.iterations);
  if (written.ok())
    written = core::write_file_atomically(s.cfg.run.dir + "/summary.json", out.json());
  if (!written.ok()) {
    deliver_error(self, written.err().message);
  } else {
    deliver_summary(self, std::move(out));
  }
  shut_down(self);
}

}  // namespace

void measure_consensus(supervisor_ptr self) {
  auto& s = self->state;
  if (s.measuring_consensus || core::finishing(s.phase)) return;
  s.measuring_consensus = true;
  const auto it = global_iteration(s);
  collect_snapshots(self, [=](const snapshots& all) {
    auto& st = self->state;
    st.measuring_consensus = false;
    if (all.empty()) return;
    st.consensus_distance = consensus_distance(all, mean_model(all));
    st.consensus_measured = true;
    (void)write_metrics(
        self, core::metrics::consensus_line(it, run_seconds(self), st.consensus_distance));
  });
}

void abort_run(supervisor_ptr self, const std::string& message) {
  auto& s = self->state;
  // While finishing, the run still ends here if the reply has not gone yet
  // (an actor failed during the final evaluation).
  if (s.phase == core::run_phase::done) return;
  s.on(core::phase_event::finish);
  (void)s.metrics.close();  // what it can save; the run has failed already
  deliver_error(self, message);
  shut_down(self);
}

bool write_metrics(supervisor_ptr self, const std::string& line) {
  auto& s = self->state;
  if (auto st = s.metrics.line(line); !st.ok()) {
    abort_run(self, st.err().message);
    return false;
  }
  return true;
}

namespace {

/// Every job's model holds the same values.
bool all_models_equal(const std::vector<std::pair<caf::actor, shared_floats>>& jobs) {
  for (const auto& job : jobs) {
    if (*job.second != *jobs.front().second) return false;
  }
  return true;
}

/// The progress line of the final evaluation.
void show_evaluation(supervisor_ptr self, int done, int total, bool identical) {
  if (!self->state.cfg.output.progress) return;
  char text[160];
  std::snprintf(text, sizeof(text), "evaluating %d of %d%s  elapsed %.0f s", done, total,
                identical ? " (replicas identical: the averaged model once)" : "",
                run_seconds(self));
  show_progress(text);
}

/// Evaluates every node's model and the averaged one (with the nodes'
/// averaged batch-norm statistics), then summarizes.
void evaluate(supervisor_ptr self, const snapshots& all) {
  auto& st = self->state;
  auto evals = std::make_shared<std::vector<eval_result>>();
  auto shared_all = std::make_shared<snapshots>(all);
  std::vector<std::pair<caf::actor, shared_floats>> jobs;
  std::vector<int> nodes_of_jobs;
  caf::actor first;
  for (const auto& sn : all) {
    if (!sn.z) continue;
    nodes_of_jobs.push_back(sn.node);
    const auto& compute = st.nodes[static_cast<std::size_t>(sn.node)].compute;
    if (!first) first = compute;
    jobs.emplace_back(compute, sn.z);
  }
  if (jobs.empty()) {
    summarize(self, all, evals);
    return;
  }
  auto mean = std::make_shared<const std::vector<float>>(mean_model(all));
  // The batch-norm statistics of the averaged model: the mean of the nodes'
  // (running means exactly; running variances averaged, which leaves out
  // the spread of the nodes' means).
  auto stats_sum = std::make_shared<std::vector<double>>();
  auto stats_count = std::make_shared<int>(0);
  auto stats_remaining = std::make_shared<int>(static_cast<int>(jobs.size()));
  // Every node's statistics were the same (or none had any).
  auto stats_identical = std::make_shared<bool>(true);
  auto stats_first = std::make_shared<std::optional<std::vector<float>>>();
  auto run_evals = [=]() {
    std::vector<float> stats;
    if (*stats_count > 0) {
      stats.resize(stats_sum->size());
      for (std::size_t k = 0; k < stats.size(); ++k) {
        stats[k] = static_cast<float>((*stats_sum)[k] / *stats_count);
      }
    }
    self->state.final_mean = mean;
    self->state.final_stats = stats;
    // Identical replicas (ar-sgd's, with the same batch-norm statistics):
    // the averaged model equals each, so it is evaluated once for all.
    const bool identical = *stats_identical && all_models_equal(jobs);
    const std::size_t first_job = identical ? jobs.size() : 0;
    const int total = static_cast<int>(jobs.size() - first_job) + 1;
    auto remaining = std::make_shared<int>(total);
    show_evaluation(self, 0, total, identical);
    auto done = [=](std::optional<eval_result> r, bool averaged) {
      if (r) {
        if (averaged) r->node = -1;
        evals->push_back(*r);
        if (averaged && identical) {
          for (const auto& sn : *shared_all) {
            if (!sn.z) continue;
            eval_result each = *r;
            each.node = sn.node;
            evals->push_back(each);
          }
        }
      }
      show_evaluation(self, total - *remaining + 1, total, identical);
      if (--*remaining == 0) summarize(self, *shared_all, evals);
    };
    for (std::size_t j = first_job; j <= jobs.size(); ++j) {
      const bool averaged = j == jobs.size();
      const auto& target = averaged ? first : jobs[j].first;
      self->request(target, caf::infinite, eval_atom::value, averaged ? mean : jobs[j].second,
                    averaged ? stats : std::vector<float>{})
          .then([=](eval_result r) { done(r, averaged); },
                [=](const caf::error&) { done(std::nullopt, averaged); });
    }
  };
  st.final_node_stats.assign(st.n, {});
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto& job = jobs[j];
    const auto node = static_cast<std::size_t>(nodes_of_jobs[j]);
    self->request(job.first, caf::infinite, final_atom::value)
        .then(
            [=](const std::vector<float>& stats) {
              if (!*stats_first) {
                *stats_first = stats;
              } else if (**stats_first != stats) {
                *stats_identical = false;
              }
              self->state.final_node_stats[node] = stats;
              if (!stats.empty() && (stats_sum->empty() || stats_sum->size() == stats.size())) {
                if (stats_sum->empty()) stats_sum->assign(stats.size(), 0.0);
                for (std::size_t k = 0; k < stats.size(); ++k) (*stats_sum)[k] += stats[k];
                ++*stats_count;
              }
              if (--*stats_remaining == 0) run_evals();
            },
            [=](const caf::error&) {
              *stats_identical = false;
              if (--*stats_remaining == 0) run_evals();
            });
  }
}

}  // namespace

void drain(supervisor_ptr self) {
  collect_snapshots(self, [=](const snapshots& all) {
    auto& st = self->state;
    const double in_flight = in_flight_weight(all);
    st.final_in_flight_weight = in_flight;
    if (in_flight <= 1e-9 * static_cast<double>(st.n) || clock_seconds(self) >= st.drain_deadline) {
      if (core::finishing(st.phase)) {
        save_group(self, all, [=]() { evaluate(self, all); });
      } else {
        save_group(self, all, [=]() { end_pause(self); });
      }
      return;
    }
    for (std::size_t i = 0; i < st.n; ++i) {
      if (st.view.live[i]) self->send(st.nodes[i].worker, flush_atom::value);
    }
    self->delayed_send(self, std::chrono::milliseconds(20), flush_atom::value);
  });
}

void finish(supervisor_ptr self) {
  auto& s = self->state;
  if (core::finishing(s.phase)) return;
  if (s.pending_kills > 0) {
    s.on(core::phase_event::end_asked);
    return;
  }
  const bool was_paused = core::paused(s.phase);
  s.on(core::phase_event::finish);
  // The last iteration's line stays; the evaluation's goes under it.
  print_progress(self, true);
  end_progress();
  // Exact evaluation: what is in flight (and held) is absorbed first, for
  // at most algorithm.wait_timeout.
  s.drain_deadline = clock_seconds(self) + s.settings.algorithm.wait_timeout_seconds;
  // A checkpoint's pause is draining already: it goes on to the end.
  if (was_paused) return;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.view.live[i]) self->send(s.nodes[i].worker, flush_atom::value);
  }
  drain(self);
}

}  // namespace sgp::actors
