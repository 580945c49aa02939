// The consensus distance during a cluster run (output.consensus_every_iterations):
// the coordinator asks every process for the sum of its live nodes' models
// (measure), averages the sums it gets back (model_sum), and measures every
// node against that average with the consensus and distance notices of the
// end of the run. Each measurement is tagged -iteration (the coordinator's
// nodes' iteration when it was due), which no end round can be. See
// process_host.hpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "actors/group_measures.hpp"
#include "actors/process_host.hpp"
#include "actors/sender_actor.hpp"
#include "core/flat_ops.hpp"
#include "core/log.hpp"
#include "core/metrics_lines.hpp"

namespace sgp::actors {
namespace {

using net::wire::notice_topic;

bool every_live_answered(const process_host_state& s) {
  for (std::uint32_t p = 0; p < s.process_live.size(); ++p) {
    if (s.process_live[p] && s.model_sums.count(p) == 0) return false;
  }
  return true;
}

/// Every live process's sum is in: the averaged model goes out, and the
/// largest distance to it comes back (on_distance).
void measure_against_mean(host_ptr self) {
  auto& s = self->state;
  const double round = s.measuring;
  std::vector<double> sum;
  double models = 0.0;
  bool sizes_agree = true;
  for (const auto& [p, v] : s.model_sums) {
    // No model there, or a process that died after answering: its nodes
    // would not be measured against the average, so they are not in it.
    if (v.size() < 2 || v[1] <= 0.0 || !s.process_live[p]) continue;
    if (sum.empty()) sum.assign(v.size() - 2, 0.0);
    if (v.size() - 2 != sum.size()) {
      sizes_agree = false;
      break;
    }
    models += v[1];
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += v[k + 2];
  }
  s.model_sums.clear();  // model-sized each: not kept to the next measurement
  if (!sizes_agree || models == 0.0) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "the consensus distance is not measured at iteration %.0f: %s", -round,
               sizes_agree ? "no process has a node with a model"
                           : "the processes' models differ in size");
    s.measuring = 0.0;
    return;
  }
  std::vector<float> mean(sum.size());
  for (std::size_t k = 0; k < sum.size(); ++k) mean[k] = static_cast<float>(sum[k] / models);
  const double mean_norm = euclidean_norm(mean);
  std::vector<double> values;
  values.reserve(mean.size() + 1);
  values.push_back(round);
  values.insert(values.end(), mean.begin(), mean.end());
  const double started = clock_seconds(self) - s.start_time;
  s.distances.clear();
  s.consensus_round = round;
  s.after_consensus = [=](double worst) {
    auto& st = self->state;
    st.measuring = 0.0;
    if (std::isnan(worst)) {
      // on_distance named a process that did not answer; otherwise one
      // answered that it could not measure (a model of another size, or
      // none kept for this measurement).
      core::logf(core::log_level::warn, "cluster", {.process = my_name(st)},
                 "the consensus distance is not measured at iteration %.0f (a process could "
                 "not measure its nodes)",
                 -round);
      return;
    }
    const double distance = relative_to_mean(worst, mean_norm);
    st.last_consensus = distance;
    (void)write_metrics_line(
        self, core::metrics::consensus_line(static_cast<std::uint64_t>(-round), started, distance));
  };
  send_notice(self, all_processes, notice_topic::consensus, {}, std::move(values));
  self->delayed_send(self, consensus_wait, consensus_atom::value, round);
}

}  // namespace

void maybe_measure_consensus(host_ptr self) {
  auto& s = self->state;
  if (s.next_consensus == 0 || s.measuring != 0.0 || s.after_consensus ||
      s.phase != host_phase::training || !is_coordinator(s))
    return;
  const std::uint64_t it = local_iteration(s);
  if (it < s.next_consensus) return;
  const auto every = static_cast<std::uint64_t>(s.setup.cfg.output.consensus_every_iterations);
  while (s.next_consensus <= it) s.next_consensus += every;
  s.measuring = -static_cast<double>(it);
  s.model_sums.clear();
  send_notice(self, all_processes, notice_topic::measure, {}, {s.measuring});
  self->delayed_send(self, consensus_wait, measure_atom::value, s.measuring);
}

void on_measure_notice(host_ptr self, const net::wire::notice& n) {
  if (n.values.size() != 1 || n.values.front() >= 0.0) return;
  const double round = n.values.front();
  const std::uint32_t to = n.process;
  struct acc {
    std::vector<shared_floats> models;
    std::vector<double> sum;
  };
  auto a = std::make_shared<acc>();
  collect_live_snapshots(
      self, true,
      [a](const node_snapshot& snap) {
        // A model that is not finite cannot travel in a notice: left out
        // (the node's loss or the end of the run names it).
        if (!snap.z || !core::all_finite<float>(std::span<const float>(*snap.z))) return;
        if (a->sum.empty()) a->sum.assign(snap.z->size(), 0.0);
        if (a->sum.size() != snap.z->size()) return;
        for (std::size_t k = 0; k < a->sum.size(); ++k) a->sum[k] += (*snap.z)[k];
        a->models.push_back(snap.z);
      },
      [self, round, to, a] {
        auto& st = self->state;
        st.measured = round;
        st.measured_models = a->models;
        std::vector<double> values{round, static_cast<double>(a->models.size())};
        values.insert(values.end(), a->sum.begin(), a->sum.end());
        send_notice(self, to, notice_topic::model_sum, {}, std::move(values));
      });
}

void on_model_sum(host_ptr self, const net::wire::notice* n, bool timed_out) {
  auto& s = self->state;
  if (s.measuring == 0.0 || s.after_consensus) return;
  if (n != nullptr) {
    if (n->values.size() < 2 || n->values.front() != s.measuring) return;
    s.model_sums[n->process] = n->values;
  }
  if (every_live_answered(s)) return measure_against_mean(self);
  if (!timed_out) return;
  std::string missing;
  for (std::uint32_t p = 0; p < s.process_live.size(); ++p) {
    if (s.process_live[p] && s.model_sums.count(p) == 0)
      missing += (missing.empty() ? "" : ", ") + s.setup.names[p];
  }
  core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
             "no models from %s within %.0f s: the consensus distance is not measured at "
             "iteration %.0f",
             missing.c_str(), std::chrono::duration<double>(consensus_wait).count(), -s.measuring);
  s.measuring = 0.0;
}

}  // namespace sgp::actors
