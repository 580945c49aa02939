// The end of a cluster run: done notices, the coordinator's flush rounds,
// every process's results, the summary (see process_host.hpp).
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

using net::wire::notice_topic;

/// After a flush, the pushes it sent are given this long to arrive.
constexpr auto flush_settle = std::chrono::milliseconds(300);
/// Flush rounds before the coordinator evaluates with weight still in flight.
constexpr int max_flush_rounds = 10;

std::uint32_t coordinator_of(const process_host_state& s) {
  for (std::uint32_t p = 0; p < s.process_live.size(); ++p) {
    if (s.process_live[p]) return p;
  }
  return s.setup.process;
}

void restart_end(host_ptr self) {
  auto& s = self->state;
  s.phase = host_phase::finishing;
  s.flush_rounds = 0;
  s.results.clear();
  // A consensus round still open (an earlier end's, or a measurement's
  // during the run) answers to results this end replaces: dropped, and
  // no measurement starts again.
  s.after_consensus = nullptr;
  s.measuring = 0.0;
  s.next_consensus = 0;
  request_flush(self);
}

/// Flushes the local nodes; their weights go to `to` after flush_settle.
void on_flush(host_ptr self, std::uint32_t to, double round) {
  auto& s = self->state;
  for (const auto* node : live_nodes(s)) self->send(node->worker, flush_atom::value);
  self->delayed_send(self, flush_settle, flush_atom::value, to, round);
}

}  // namespace

void request_flush(host_ptr self) {
  auto& s = self->state;
  ++s.end_round;
  s.weights.clear();
  send_notice(self, all_processes, notice_topic::flush, std::to_string(s.end_round),
              {static_cast<double>(s.end_round)});
}

/// Per live local node: id, w, sent weight to every node, applied from every node.
void send_weights(host_ptr self, std::uint32_t to, double round) {
  auto out = std::make_shared<std::vector<double>>(1, round);
  collect_live_snapshots(
      self, false,
      [out](const node_snapshot& snap) {
        out->push_back(snap.node);
        out->push_back(snap.w);
        out->insert(out->end(), snap.sent_weight.begin(), snap.sent_weight.end());
        out->insert(out->end(), snap.applied_weight.begin(), snap.applied_weight.end());
      },
      [self, to, out] { send_notice(self, to, notice_topic::weights, {}, *out); });
}

void collect_live_snapshots(host_ptr self, bool with_z,
                            std::function<void(const node_snapshot&)> each,
                            std::function<void()> then) {
  const auto nodes = live_nodes(self->state);
  if (nodes.empty()) return then();
  auto pending = std::make_shared<std::size_t>(nodes.size());
  for (const auto* node : nodes) {
    // A node's actors that failed end the run (monitored): an error answer
    // only keeps the count.
    self->request(node->worker, caf::infinite, final_atom::value, with_z)
        .then(
            [=](const node_snapshot& snap) {
              each(snap);
              if (--*pending == 0) then();
            },
            [=](const caf::error&) {
              if (--*pending == 0) then();
            });
  }
}

namespace {

/// The coordinator has every live process's weights: in flight, or final.
void weights_complete(host_ptr self) {
  auto& s = self->state;
  const std::size_t n = s.n;
  std::vector<std::vector<double>> sent(n), applied(n);
  for (const auto& [p, v] : s.weights) {
    for (std::size_t k = 1; k + 2 + 2 * n <= v.size(); k += 2 + 2 * n) {
      const auto id = static_cast<std::size_t>(v[k]);
      if (id >= n) continue;
      sent[id].assign(v.begin() + static_cast<long>(k + 2),
                      v.begin() + static_cast<long>(k + 2 + n));
      applied[id].assign(v.begin() + static_cast<long>(k + 2 + n),
                         v.begin() + static_cast<long>(k + 2 + 2 * n));
    }
  }
  double in_flight = 0.0;
  bool exact = true;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j || sent[i].empty() || applied[j].empty()) continue;
      const double d = sent[i][j] - applied[j][i];
      in_flight += d;
      if (d != 0.0) exact = false;
    }
  }
  if (!exact && ++s.flush_rounds < max_flush_rounds) return request_flush(self);
  // Before the end (restart_end makes it finishing), flushes are a
  // checkpoint's: its cut, or nothing when that checkpoint was given up
  // or a stop came meanwhile (never the end's results while training).
  if (s.phase != host_phase::finishing) {
    if (s.checkpoint_at != 0) checkpoint_cut(self, in_flight);
    return;
  }
  s.final_in_flight = in_flight;
  ++s.end_round;
  s.results.clear();
  send_notice(self, all_processes, notice_topic::final, {},
              {static_cast<double>(s.end_round), unix_seconds()});
}

void send_result_values(host_ptr self, std::uint32_t to, const std::vector<double>& head,
                        const std::vector<double>& records, const std::vector<double>& z_sum,
                        const std::vector<double>& stats_sum) {
  std::vector<double> values = head;
  values.insert(values.end(), records.begin(), records.end());
  values.insert(values.end(), z_sum.begin(), z_sum.end());
  values.insert(values.end(), stats_sum.begin(), stats_sum.end());
  // The text: this process's collapse verdict (empty: none).
  send_notice(self, to, notice_topic::result, self->state.collapse.verdict().value_or(""),
              std::move(values));
}

/// With output.save_node_models: node `snap.node`'s model at the end, as
/// RUN_DIR/model-node-K.safetensors (as in one process).
core::status save_node_model(host_ptr self, const node_snapshot& snap,
                             const std::vector<float>& stats) {
  const auto& s = self->state;
  if (!s.setup.cfg.output.save_node_models || !snap.z || !s.model_layout) return {};
  return runtime::save_model_file(
      s.setup.cfg.run.dir + "/model-node-" + std::to_string(snap.node) + ".safetensors",
      s.setup.cfg, s.setup.settings, *s.model_layout, *snap.z, stats, snap.iteration);
}

/// Evaluates the live local nodes and sends the result to `to`.
void send_result(host_ptr self, std::uint32_t to, double round) {
  auto& s = self->state;
  auto nodes = live_nodes(s);
  struct acc {
    std::vector<double> head;
    std::vector<double> records;
    std::vector<double> z_sum;
    std::vector<double> stats_sum;      ///< batch-norm statistics of the evaluated nodes
    std::vector<shared_floats> models;  ///< the evaluated nodes' z
    std::size_t pending = 0;
  };
  auto a = std::make_shared<acc>();
  a->pending = nodes.size();
  std::uint64_t iterations = 0;
  double loss = 0.0, bytes = 0.0, late = 0.0, comm = 0.0, compute = 0.0, initial = 0.0;
  double lost = 0.0, duplicate = 0.0;
  for (const auto* node : nodes) {
    initial += node->initial_weight;
    comm += node->comm_wait;
    compute += node->compute_seconds;
    if (!node->last) continue;
    iterations = std::max(iterations, node->last->iteration);
    loss += node->last->loss;
    bytes += static_cast<double>(node->last->bytes_sent);
    late += static_cast<double>(node->last->messages_late);
    lost += static_cast<double>(node->last->messages_lost);
    duplicate += static_cast<double>(node->last->messages_duplicate);
  }
  a->head = {round,
             static_cast<double>(nodes.size()),
             s.sent_to_dead,
             s.applied_from_dead,
             static_cast<double>(iterations),
             loss,
             bytes,
             late,
             static_cast<double>(s.suspects),
             comm,
             compute,
             0.0,
             0.0,
             initial,
             lost,
             duplicate,
             0.0};
  auto reply = [=] {
    // The data plane's own count of what it sent to other processes.
    self->request(self->state.bridge, caf::infinite, status_atom::value)
        .then([=](const data_plane_counters& c) {
          a->head[11] = static_cast<double>(c.edges.pushes_out);
          a->head[12] = static_cast<double>(c.edges.wire_bytes_out);
          a->head[16] = static_cast<double>(c.dropped_to_dead);
          self->state.final_models = a->models;
          send_result_values(self, to, a->head, a->records, a->z_sum, a->stats_sum);
        });
  };
  if (nodes.empty()) return reply();
  for (const auto* node : nodes) {
    const worker_handle worker = node->worker;
    const compute_handle comp = node->compute;
    self->request(worker, caf::infinite, final_atom::value, true)
        .then([=](const node_snapshot& snap) {
          // A model that is not finite could not even travel (notices and
          // pushes refuse such values): the run fails here, by name.
          if (snap.z && !core::all_finite<float>(std::span<const float>(*snap.z))) {
            abort_cluster(self, divergence_error(snap.node, std::nullopt));
            return;
          }
          self->request(comp, caf::infinite, final_atom::value)
              .then([=](const std::vector<float>& stats) {
                if (!snap.z) {
                  a->records.insert(
                      a->records.end(),
                      {static_cast<double>(snap.node), -1.0,  // no model: not evaluated
                       0.0, snap.w, static_cast<double>(snap.iteration)});
                  if (--a->pending == 0) reply();
                  return;
                }
                // output.save_node_models: each process writes its own nodes'.
                if (auto saved = save_node_model(self, snap, stats); !saved.ok()) {
                  return abort_cluster(self, saved.err().message);
                }
                self->request(comp, caf::infinite, eval_atom::value, snap.z, stats)
                    .then([=](const eval_result& r) {
                      a->records.insert(a->records.end(),
                                        {static_cast<double>(snap.node), r.accuracy, r.loss, snap.w,
                                         static_cast<double>(snap.iteration)});
                      a->models.push_back(snap.z);
                      if (a->z_sum.empty()) a->z_sum.assign(snap.z->size(), 0.0);
                      for (std::size_t k = 0; k < snap.z->size(); ++k) a->z_sum[k] += (*snap.z)[k];
                      if (a->stats_sum.empty()) a->stats_sum.assign(stats.size(), 0.0);
                      for (std::size_t k = 0; k < stats.size() && k < a->stats_sum.size(); ++k) {
                        a->stats_sum[k] += stats[k];
                      }
                      if (--a->pending == 0) reply();
                    });
              });
        });
  }
}

}  // namespace

/// The run is over here: the nodes' actors stop (the actor system waits for them).
void stop_nodes(host_ptr self) {
  auto& s = self->state;
  s.phase = host_phase::finished;
  (void)s.metrics.close();
  const auto stop = [self](const auto& a) {
    if (a) self->send_exit(a, caf::exit_reason::user_shutdown);
  };
  for (const auto& node : s.nodes) {
    stop(node.worker);
    stop(node.compute);
    stop(node.sender);
  }
  // The reducer is detached: a sum under way ends within its deadline.
  stop(s.allreduce);
  stop(s.reducer);
}

void finish_here(host_ptr self, runtime::run_summary summary) {
  auto& s = self->state;
  if (s.phase == host_phase::finished) return;
  stop_nodes(self);
  s.finished.deliver(std::move(summary));
}

std::vector<const local_node*> live_nodes(const process_host_state& s) {
  std::vector<const local_node*> out;
  for (const auto& node : s.nodes) {
    if (s.view.live[static_cast<std::size_t>(node.id)]) out.push_back(&node);
  }
  return out;
}

bool is_coordinator(const process_host_state& s) {
  return coordinator_of(s) == s.setup.process;
}

void send_notice(host_ptr self, std::uint32_t to, notice_topic topic, std::string text,
                 std::vector<double> values) {
  auto& s = self->state;
  net::wire::notice n{s.setup.process, topic, std::move(text), std::move(values)};
  self->send(s.bridge, notice_atom::value, to, std::move(n));
}

void local_done(host_ptr self) {
  auto& s = self->state;
  s.phase = host_phase::done;
  s.done_at = clock_seconds(self);
  core::log(core::log_level::info, "cluster", "its nodes finished their iterations",
            {.process = s.setup.names[s.setup.process]});
  if (s.setup.cfg.algorithm.resend_on_timeout) {
    core::logf(core::log_level::info, "cluster", {.process = s.setup.names[s.setup.process]},
               "resend_on_timeout: %llu resends asked of other processes' nodes, %llu made "
               "for theirs",
               static_cast<unsigned long long>(s.resends_asked),
               static_cast<unsigned long long>(s.resends_made));
  }
  send_notice(self, all_processes, notice_topic::done);
}

void maybe_start_end(host_ptr self) {
  auto& s = self->state;
  if (!is_coordinator(s)) return;
  if (s.phase != host_phase::done && s.phase != host_phase::finishing) return;
  for (std::size_t p = 0; p < s.process_live.size(); ++p) {
    if (s.process_live[p] && !s.process_done[p]) return;
  }
  // Every live process is done: the end starts (or starts over after the
  // coordinator died, or a process died while answering).
  restart_end(self);
}

void abort_cluster(host_ptr self, const std::string& why) {
  auto& s = self->state;
  if (s.phase == host_phase::finished) return;
  // A restarted process that fails to rejoin stops alone: the running
  // cluster declares it dead again, as before.
  const bool alone = s.rejoining && s.phase == host_phase::joining;
  if (s.bridge && !alone) send_notice(self, all_processes, notice_topic::abort, why);
  if (!s.finished.pending()) s.ended_before_start = why;
  stop_nodes(self);
  s.finished.deliver(caf::make_error(caf::sec::runtime_error, why));
}

void on_notice(host_ptr self, const net::wire::notice& n) {
  auto& s = self->state;
  if (n.process >= s.process_live.size() || s.phase == host_phase::finished) return;
  const double round = n.values.empty() ? 0.0 : n.values.front();
  switch (n.topic) {
    case notice_topic::done:
      s.process_done[n.process] = true;
      maybe_start_end(self);
      break;
    case notice_topic::flush:
      on_flush(self, n.process, round);
      break;
    case notice_topic::weights:
      if (!is_coordinator(s) || round != static_cast<double>(s.end_round)) break;
      s.weights[n.process] = n.values;
      if (std::all_of(s.process_live.begin(), s.process_live.end(),
                      [&, p = 0u](bool live) mutable { return !live || s.weights.count(p++) > 0; }))
        weights_complete(self);
      break;
    case notice_topic::final:
      // Nothing is in flight now: this process's nodes' final state is its
      // latest.ckpt (a finished run loses no work), then the evaluation.
      // The cut's name: the coordinator's stamp of this end (a process
      // that died before a later end keeps another).
      write_end_checkpoint(self,
                           "end-" + core::json_number(n.values.size() > 1 ? n.values[1] : round),
                           [self, to = n.process, round] { send_result(self, to, round); });
      break;
    case notice_topic::result:
      if (!is_coordinator(s) || round != static_cast<double>(s.end_round)) break;
      s.results[n.process] = {n.text, n.values};
      if (std::all_of(s.process_live.begin(), s.process_live.end(),
                      [&, p = 0u](bool live) mutable { return !live || s.results.count(p++) > 0; }))
        write_cluster_summary(self);
      break;
    case notice_topic::finish: {
      runtime::run_summary part;
      part.run = s.setup.cfg.run.name;
      part.nodes = static_cast<int>(s.n);
      finish_here(self, std::move(part));
      break;
    }
    case notice_topic::settings:
    case notice_topic::store:
    case notice_topic::cut_off:
      break;  // the bridge's (at join; the rendezvous store's; after an outage)
    case notice_topic::welcome:
      on_welcome(self, n);
      break;
    case notice_topic::node:
      on_node_notice(self, n);
      break;
    case notice_topic::resend:
      on_resend_notice(self, n);
      break;
    case notice_topic::ready:
      on_ready_notice(self, n);
      break;
    case notice_topic::consensus:
      on_consensus_notice(self, n);
      break;
    case notice_topic::distance:
      on_distance(self, &n);
      break;
    case notice_topic::measure:
      on_measure_notice(self, n);
      break;
    case notice_topic::model_sum:
      on_model_sum(self, &n);
      break;
    case notice_topic::held:
    case notice_topic::save:
    case notice_topic::saved:
    case notice_topic::release:
      on_checkpoint_notice(self, n);
      break;
    case notice_topic::stop:
      if (s.phase != host_phase::training) break;
      core::logf(core::log_level::info, "cluster", {.process = s.setup.names[s.setup.process]},
                 "stopping (asked by process %s): evaluation and summary",
                 s.setup.names[n.process].c_str());
      // No more checkpoints: a pause (or a checkpoint being taken) ends
      // here, and the stop's hold below moves the nodes on to the end.
      s.stopping = true;
      s.held_since = -1.0;
      s.checkpoint_at = 0;
      s.checkpoint_saving = false;
      // Paused nodes were done: each says so again at the stop's hold
      // (the hold below makes it), not before it took its last steps.
      for (auto& node : s.nodes) node.done = false;
      // Each node pauses after its next iteration and reports done; with
      // ar-sgd, every node at the one iteration the notice names (or later
      // when this process is past it).
      if (!n.values.empty()) {
        auto at = static_cast<std::uint64_t>(n.values.front());
        for (const auto& node : s.nodes) {
          if (node.last) at = std::max(at, node.last->iteration + 1);
        }
        for (auto& node : s.nodes) hold_node(self, node, at);
        s.wsetup.hold_at = at;  // a node revived now stops there too
        break;
      }
      s.wsetup.hold_at = 1;
      for (auto& node : s.nodes) {
        const auto at = node.last ? node.last->iteration + 1 : 1;
        hold_node(self, node, at);
        s.wsetup.hold_at = std::max(s.wsetup.hold_at, at);
      }
      break;
    case notice_topic::command: {
      if (n.process == s.setup.process) break;
      // Checked by the process that took it; parsed again here.
      const auto c = core::parse_command(n.text, static_cast<int>(s.n));
      const bool node_life =
          c.ok() && (c->kind == core::command_kind::kill || c->kind == core::command_kind::revive);
      if (c.ok() && c->kind == core::command_kind::checkpoint) {
        // At the iteration the process that took it chose (values [at]).
        const double at = n.values.empty() ? 0.0 : n.values.front();
        if (at >= 1.0 && at < core::max_exact_double) {
          (void)schedule_checkpoint(self, static_cast<std::uint64_t>(at));
        }
      } else if (node_life) {
        // Forwarded to this process, which owns the node (it logs a refusal).
        (void)node_command(self, *c, "process " + s.setup.names[n.process], false);
      } else if (s.phase != host_phase::training) {
        break;
      } else if (c.ok()) {
        apply_cluster_command(self, *c, "process " + s.setup.names[n.process]);
      } else {
        core::logf(core::log_level::warn, "cluster", {.process = s.setup.names[s.setup.process]},
                   "a command from process %s is refused: %s", s.setup.names[n.process].c_str(),
                   c.err().message.c_str());
      }
      break;
    }
    case notice_topic::abort:
      if (n.process == s.setup.process) break;
      if (!s.finished.pending()) {
        s.ended_before_start = "process " + s.setup.names[n.process] + " failed: " + n.text;
      }
      stop_nodes(self);
      s.finished.deliver(caf::make_error(
          caf::sec::runtime_error, "process " + s.setup.names[n.process] + " failed: " + n.text));
      break;
  }
}

}  // namespace sgp::actors
