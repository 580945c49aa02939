// The supervisor's measurements over every node's model: the consensus
// distance during the run and the end of the run (the drain, evaluation of
// every node and of the averaged model, the saved models, summary.json).
// What is written and the summary's numbers are the reporter's
// (run_reporter.hpp); group checkpoints are in supervisor_checkpoint.cpp
// (see supervisor_state.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "actors/group_measures.hpp"
#include "actors/sender_actor.hpp"
#include "actors/supervisor_state.hpp"
#include "actors/terminal.hpp"
#include "core/checkpoint.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "runtime/model_file.hpp"

namespace sgp::actors {
namespace {

using snapshots = std::vector<node_snapshot>;

/// The group is over: every node and helper goes, then the supervisor.
void shut_down(supervisor_ptr self) {
  auto& s = self->state;
  s.host.stop_all(self);
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
    self->request(s.host.node(i).worker, caf::infinite, final_atom::value, true)
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

/// Writes `params` and `stats` of the run's model to `path` (safetensors,
/// PyTorch's names).
core::status save_model(supervisor_ptr self, const std::string& path,
                        const std::vector<float>& params, const std::vector<float>& stats,
                        std::uint64_t iterations) {
  auto& s = self->state;
  const runtime::compute_engine* engine = nullptr;
  for (const auto& n : s.host.nodes()) {
    if (n.engine) engine = n.engine.get();
  }
  if (engine == nullptr) return core::make_error(path + ": no node's model to lay it out");
  return runtime::save_model_file(path, s.cfg, s.settings, engine->layout(), params, stats,
                                  iterations);
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
  const run_facts facts{global_iteration(s), run_seconds(self), s.lost_weight, s.weight_exact};
  auto summary = s.reporter.summary(facts, s.view.live, s.last, all, *evals);
  if (!summary.ok()) {
    abort_run(self, summary.err().message);
    return;
  }
  auto out = std::move(summary).value();
  if (!out.collapse.empty())
    core::logf(core::log_level::warn, "run", {}, "%s", out.collapse.c_str());
  // Every byte checked: a run whose files did not reach the disk fails.
  auto written = s.reporter.end_of_run(out, s.final_in_flight_weight);
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
  if (core::finishing(s.phase) || !s.reporter.begin_consensus()) return;
  const auto it = global_iteration(s);
  collect_snapshots(self, [=](const snapshots& all) {
    std::optional<double> distance;
    if (!all.empty()) distance = consensus_distance(all, mean_model(all));
    auto written = self->state.reporter.end_consensus(it, run_seconds(self), distance);
    if (!written.ok()) abort_run(self, written.err().message);
  });
}

void abort_run(supervisor_ptr self, const std::string& message) {
  auto& s = self->state;
  // While finishing, the run still ends here if the reply has not gone yet
  // (an actor failed during the final evaluation).
  if (s.phase == core::run_phase::done) return;
  s.on(core::phase_event::finish);
  s.reporter.close_after_failure();  // what it can save; the run has failed already
  deliver_error(self, message);
  shut_down(self);
}

bool write_metrics(supervisor_ptr self, const std::string& line) {
  auto& s = self->state;
  if (auto st = s.reporter.write(line); !st.ok()) {
    abort_run(self, st.err().message);
    return false;
  }
  return true;
}

namespace {

/// Every job's model holds the same values.
bool all_models_equal(const std::vector<std::pair<compute_handle, shared_floats>>& jobs) {
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
  std::vector<std::pair<compute_handle, shared_floats>> jobs;
  std::vector<int> nodes_of_jobs;
  compute_handle first;
  for (const auto& sn : all) {
    if (!sn.z) continue;
    nodes_of_jobs.push_back(sn.node);
    const auto& compute = st.host.node(static_cast<std::size_t>(sn.node)).compute;
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
        if (const auto bad = first_non_finite(all)) {
          abort_run(self, divergence_error(*bad, std::nullopt));
          return;
        }
        save_group(self, all, [=]() { evaluate(self, all); });
      } else {
        save_group(self, all, [=]() { end_pause(self); });
      }
      return;
    }
    for (std::size_t i = 0; i < st.n; ++i) {
      if (st.view.live[i]) self->send(st.host.node(i).worker, flush_atom::value);
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
    if (s.view.live[i]) self->send(s.host.node(i).worker, flush_atom::value);
  }
  drain(self);
}

}  // namespace sgp::actors
