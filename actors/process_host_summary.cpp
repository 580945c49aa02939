// The coordinator's summary of a cluster run: every process's results, the
// averaged model's evaluation, RUN_DIR/summary.json (see process_host.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <span>

#include "actors/group_measures.hpp"
#include "actors/process_host.hpp"
#include "actors/sender_actor.hpp"
#include "core/flat_ops.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/text_file.hpp"
#include "runtime/model_file.hpp"

namespace sgp::actors {
namespace {

struct gathered {
  runtime::run_summary summary;
  std::vector<double> z_sum;      ///< the evaluated nodes' z, summed
  std::vector<double> stats_sum;  ///< their batch-norm statistics, summed (empty: none)
  int evaluated = 0;              ///< nodes in those sums (a node without mass has no z)
  std::string processes;          ///< the JSON array of per-process fields
  double weight = 0.0;            ///< live nodes' w
  double sent_to_dead = 0.0;
  double applied_from_dead = 0.0;
  double initial_weight = 0.0;  ///< what the live nodes started with
  double loss = 0.0;
  double samples = 0.0;
  double comm = 0.0;  ///< seconds waited, all nodes
  double compute = 0.0;
  double pushes = 0.0;  ///< between processes
  double wire_bytes = 0.0;
  int non_finite_node = -1;  ///< the first evaluated node whose test loss was not finite
};

gathered gather(const process_host_state& s) {
  gathered g;
  auto& out = g.summary;
  out.test_accuracy_per_node.assign(s.n, std::numeric_limits<double>::quiet_NaN());
  g.processes.push_back('[');  // (operator= trips a GCC 12 -Wrestrict false positive here)
  for (std::uint32_t p = 0; p < s.setup.names.size(); ++p) {
    const auto it = s.results.find(p);
    core::json_object o;
    o.add("name", s.setup.names[p]).add("live", it != s.results.end());
    if (it != s.results.end()) {
      // The process's collapse verdict on its nodes' loss (empty: none).
      const auto& verdict = it->second.first;
      o.add("collapsed", !verdict.empty());
      if (!verdict.empty()) {
        out.collapse += (out.collapse.empty() ? "" : "; ") + std::string("process ") +
                        s.setup.names[p] + ": " + verdict;
      }
      const auto& v = it->second.second;
      const auto live = static_cast<std::size_t>(v[1]);
      o.add("live_nodes", static_cast<int>(live))
          .add("iterations", static_cast<std::int64_t>(v[4]))
          .add("bytes_sent", v[6])
          .add("waits_timed_out", v[7])
          .add("suspicions", v[8])
          .add("weight_sent_to_dead", v[2])
          .add("weight_applied_from_dead", v[3])
          .add("pushes_to_other_processes", v[11])
          .add("wire_bytes_to_other_processes", v[12])
          .add("initial_weight", v[13])
          .add("messages_lost", v[14])
          .add("messages_duplicate", v[15])
          .add("pushes_dropped_to_dead", v[16]);
      out.live_nodes += static_cast<int>(live);
      g.sent_to_dead += v[2];
      g.applied_from_dead += v[3];
      g.initial_weight += v[13];
      out.iterations = std::max(out.iterations, static_cast<std::uint64_t>(v[4]));
      g.loss += v[5];
      g.comm += v[9];
      g.compute += v[10];
      g.pushes += v[11];
      g.wire_bytes += v[12];
      out.bytes_sent += static_cast<std::uint64_t>(v[6]);
      out.messages_late += static_cast<std::uint64_t>(v[7]);
      out.messages_lost += static_cast<std::uint64_t>(v[14]);
      out.messages_duplicate += static_cast<std::uint64_t>(v[15]);
      for (std::size_t k = 0; k < live; ++k) {
        const std::size_t at = result_head + k * result_record;
        if (at + result_record > v.size()) break;
        const auto node = static_cast<std::size_t>(v[at]);
        if (node < s.n && v[at + 1] >= 0.0) {
          out.test_accuracy_per_node[node] = v[at + 1];
          ++g.evaluated;
          if (!std::isfinite(v[at + 2]) &&
              (g.non_finite_node < 0 || static_cast<int>(node) < g.non_finite_node)) {
            g.non_finite_node = static_cast<int>(node);
          }
        }
        g.weight += v[at + 3];
        g.samples += v[at + 4] * s.setup.cfg.data.batch_size;
      }
      // Then the sum of z (one value per parameter), then the sum of the
      // batch-norm statistics (none without batch norm).
      const std::size_t z_at = result_head + live * result_record;
      const std::size_t params =
          s.initial_x ? s.initial_x->size() : v.size() - std::min(v.size(), z_at);
      if (v.size() > z_at && params > 0) {
        const std::size_t z_end = std::min(v.size(), z_at + params);
        if (g.z_sum.empty()) g.z_sum.assign(params, 0.0);
        for (std::size_t k = z_at; k < z_end; ++k) g.z_sum[k - z_at] += v[k];
        if (g.stats_sum.empty()) g.stats_sum.assign(v.size() - z_end, 0.0);
        for (std::size_t k = z_end; k < v.size() && k - z_end < g.stats_sum.size(); ++k) {
          g.stats_sum[k - z_end] += v[k];
        }
      }
    }
    if (p > 0) g.processes += ',';
    g.processes += o.str();
  }
  g.processes += "]";
  return g;
}

}  // namespace

void write_cluster_summary(host_ptr self) {
  auto& s = self->state;
  auto g = std::make_shared<gathered>(gather(s));
  auto& out = g->summary;
  const auto& cfg = s.setup.cfg;
  out.run = cfg.run.name;
  out.algorithm = cfg.algorithm.name;
  out.model = cfg.model.name;
  out.backend = cfg.backend.name;
  out.epochs = cfg.schedule.epochs;
  out.nodes = static_cast<int>(s.n);
  out.wall_seconds = clock_seconds(self) - s.start_time;
  out.train_loss = out.live_nodes > 0 ? g->loss / out.live_nodes : 0.0;
  out.total_weight = g->weight + s.final_in_flight;
  // Every live node started with 1 but a rejoined one (0): what they
  // started with, less what they sent to dead nodes, plus what they took
  // from them.
  out.expected_total_weight = g->initial_weight - g->sent_to_dead + g->applied_from_dead;
  // Measured below, once the averaged model is known (NaN: not measured).
  out.consensus_distance = std::numeric_limits<double>::quiet_NaN();
  out.mean_comm_wait_fraction = g->comm + g->compute > 0 ? g->comm / (g->comm + g->compute) : 0.0;
  out.samples_per_second = out.wall_seconds > 0 ? g->samples / out.wall_seconds : 0.0;
  out.seconds_per_iteration =
      out.iterations > 0 ? out.wall_seconds / static_cast<double>(out.iterations) : 0.0;
  out.seconds_per_iteration_whole = out.seconds_per_iteration;
  out.seconds_per_iteration_mean = out.seconds_per_iteration;

  auto write = [=](double accuracy, double loss) {
    auto& st = self->state;
    auto& sum = g->summary;
    sum.test_accuracy_mean_model = accuracy;
    sum.test_loss_mean_model = loss;
    std::string json = sum.json();
    json.pop_back();  // the closing brace: per-process fields follow
    // Wire bytes per parameter per push between processes (88 of header, 4
    // or 2 per parameter).
    const double per_param = g->pushes > 0 && !g->z_sum.empty()
                                 ? g->wire_bytes / g->pushes / static_cast<double>(g->z_sum.size())
                                 : 0.0;
    json += ",\"wire_bytes_per_parameter_per_push\":" + core::json_number(per_param) +
            ",\"final_in_flight_weight\":" + core::json_number(st.final_in_flight) +
            ",\"processes\":" + g->processes + "}";
    if (auto w = core::write_file_atomically(st.setup.cfg.run.dir + "/summary.json", json);
        !w.ok()) {
      abort_cluster(self, w.err().message);
      return;
    }
    for (std::uint32_t p = 0; p < st.process_live.size(); ++p) {
      if (p != st.setup.process && st.process_live[p]) {
        send_notice(self, p, net::wire::notice_topic::finish);
      }
    }
    finish_here(self, sum);
  };
  const local_node* evaluator = nullptr;
  for (const auto& node : s.nodes) {
    if (s.view.live[static_cast<std::size_t>(node.id)]) evaluator = &node;
  }
  // A model that is not finite at the end diverged after its last
  // reported loss: the run has failed, whatever its evaluation says.
  if (g->non_finite_node >= 0 || !core::all_finite<double>(std::span<const double>(g->z_sum))) {
    abort_cluster(self, divergence_error(g->non_finite_node, std::nullopt));
    return;
  }
  if (out.live_nodes == 0 || g->z_sum.empty() || g->evaluated == 0) {
    return write(std::numeric_limits<double>::quiet_NaN(),
                 std::numeric_limits<double>::quiet_NaN());
  }
  // The averaged model: the mean of the evaluated nodes' z, with the mean
  // of their batch-norm statistics (as in one process).
  auto mean = std::make_shared<std::vector<float>>(g->z_sum.size());
  for (std::size_t k = 0; k < mean->size(); ++k) {
    (*mean)[k] = static_cast<float>(g->z_sum[k] / g->evaluated);
  }
  std::vector<float> stats(g->stats_sum.size());
  for (std::size_t k = 0; k < stats.size(); ++k) {
    stats[k] = static_cast<float>(g->stats_sum[k] / g->evaluated);
  }
  // The trained model, for PyTorch, as one process writes it.
  if (s.model_layout) {
    if (auto saved = runtime::save_model_file(s.setup.cfg.run.dir + "/model.safetensors",
                                              s.setup.cfg, s.setup.settings, *s.model_layout, *mean,
                                              stats, g->summary.iterations);
        !saved.ok()) {
      return abort_cluster(self, saved.err().message);
    }
  }
  if (evaluator == nullptr) {
    // No local node left to evaluate it with (its file is written).
    return write(std::numeric_limits<double>::quiet_NaN(),
                 std::numeric_limits<double>::quiet_NaN());
  }
  // The consensus distance, max_i |z_i - mean| / |mean| as in one process:
  // every process measures its own nodes against the averaged model (a
  // consensus notice) and answers with its largest distance.
  const double mean_norm = euclidean_norm(*mean);
  std::vector<double> values;
  values.reserve(mean->size() + 1);
  values.push_back(static_cast<double>(s.end_round));
  values.insert(values.end(), mean->begin(), mean->end());
  const compute_handle comp = evaluator->compute;
  shared_floats averaged(std::move(mean));
  s.distances.clear();
  s.consensus_round = static_cast<double>(s.end_round);
  s.measuring = 0.0;  // a measurement still open during the run is dropped
  s.after_consensus = [=](double worst) {
    g->summary.consensus_distance = relative_to_mean(worst, mean_norm);
    self->request(comp, caf::infinite, eval_atom::value, averaged, stats)
        .then([=](const eval_result& r) { write(r.accuracy, r.loss); });
  };
  send_notice(self, all_processes, net::wire::notice_topic::consensus, {}, std::move(values));
  self->delayed_send(self, consensus_wait, consensus_atom::value, s.end_round);
}

void on_consensus_notice(host_ptr self, const net::wire::notice& n) {
  auto& s = self->state;
  if (n.values.empty()) return;
  const std::span<const double> mean(n.values.data() + 1, n.values.size() - 1);
  // A round of the end measures the final models; one during the run
  // (-iteration) the models its measure notice kept, if it came.
  const double round = n.values.front();
  const bool during = round < 0.0;
  double worst = during && round != s.measured ? -1.0 : 0.0;
  for (const auto& z : during ? s.measured_models : s.final_models) {
    if (!z) continue;
    worst = larger_distance(worst, distance_to(*z, mean));
  }
  // A model of another size (NaN) makes the answer -1: not measured (a
  // notice carries finite values only).
  if (std::isnan(worst)) worst = -1.0;
  // Measured: the models kept for a measurement during the run are not
  // kept longer (one model per node).
  if (during && round == s.measured) s.measured_models.clear();
  send_notice(self, n.process, net::wire::notice_topic::distance, {}, {n.values.front(), worst});
}

void on_distance(host_ptr self, const net::wire::notice* n, bool timed_out) {
  auto& s = self->state;
  if (!s.after_consensus) return;
  if (n != nullptr) {
    if (n->values.size() < 2 || n->values.front() != s.consensus_round) return;
    s.distances[n->process] = n->values[1];
  }
  double worst = 0.0;
  std::string missing;
  for (std::uint32_t p = 0; p < s.process_live.size(); ++p) {
    if (!s.process_live[p]) continue;
    const auto it = s.distances.find(p);
    if (it == s.distances.end()) {
      missing += (missing.empty() ? "" : ", ") + s.setup.names[p];
    } else {
      // -1: that process could not measure (a NaN then says "not measured").
      worst = larger_distance(worst, it->second);
    }
  }
  if (!missing.empty() && !timed_out) return;
  if (!missing.empty()) {
    const std::string what =
        s.consensus_round < 0.0 ? "not measured at iteration " +
                                      std::to_string(static_cast<std::uint64_t>(-s.consensus_round))
                                : "the summary says not measured";
    core::logf(core::log_level::warn, "cluster", {.process = s.setup.names[s.setup.process]},
               "no consensus distance from %s within %.0f s: %s", missing.c_str(),
               std::chrono::duration<double>(consensus_wait).count(), what.c_str());
    worst = std::numeric_limits<double>::quiet_NaN();
  }
  auto next = std::move(s.after_consensus);
  s.after_consensus = nullptr;
  next(worst);
}

}  // namespace sgp::actors
