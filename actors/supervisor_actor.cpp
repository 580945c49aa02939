// The supervisor's lifecycle: building the group, the view, reports,
// heartbeats and faults (see supervisor_actor.hpp).
#include "actors/supervisor_actor.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <tuple>

#include "actors/actor_failure.hpp"
#include "actors/group_measures.hpp"
#include "actors/sender_actor.hpp"
#include "actors/terminal.hpp"
#include "core/log.hpp"
#include "core/lr_schedule.hpp"
#include "core/metrics_lines.hpp"
#include "core/rng.hpp"
#include "runtime/group_plan.hpp"
#include "runtime/run_limits.hpp"

namespace sgp::actors {
namespace {

constexpr auto tick_interval = std::chrono::milliseconds(200);

/// Fires the faults due at the group's iteration, or at `at` (a resume's
/// cut, before any node steps).
void fire_due_faults(supervisor_ptr self, std::optional<std::uint64_t> at = std::nullopt) {
  auto& s = self->state;
  const auto it = at ? *at : global_iteration(s);
  const double now = run_seconds(self) + s.seconds_before;
  for (auto& f : s.faults) {
    if (!f.due(it, now)) continue;
    f.fired = true;
    const auto outcome = execute(self, f.command);
    log_action(self, "fault", "config", it, f.command, core::command_line(f.command), outcome);
    core::logf(core::log_level::warn, "supervisor",
               {.node = f.command.node, .iteration = static_cast<long long>(it)},
               "fault at iteration %llu: %s: %s", static_cast<unsigned long long>(it),
               core::command_name(f.command.kind).c_str(), outcome.message.c_str());
  }
}

/// Whether compute actors get threads of their own (backend.compute_threads).
/// auto: a GPU step blocks its thread until the device is done (the loss
/// comes back to the host), for most of the step, and on the shared
/// scheduler nodes' steps would hold every scheduler thread while workers
/// wait to apply pushes and start the next step; CPU steps keep the
/// scheduler, which runs as many as there are cores. (Tests under CAF's
/// deterministic scheduler choose "shared" themselves.)
bool compute_on_own_thread(const config::backend_settings& b) {
  if (b.compute_threads == config::compute_threads::own) return true;
  if (b.compute_threads == config::compute_threads::shared) return false;
  return b.name != config::backend_kind::cpu;
}

/// Arms the next heartbeat check.
void arm_tick(supervisor_ptr self) {
  self->state.tick_due = clock_seconds(self) + std::chrono::duration<double>(tick_interval).count();
  self->delayed_send(self, tick_interval, tick_atom::value);
}

/// The tick came `late` seconds after it was due. Later than half a
/// heartbeat timeout means the supervisor itself did not run: the whole
/// process was paused (SIGSTOP, a frozen VM), its nodes with it. Their
/// silence says nothing then; it is counted again from now.
void detect_pause(supervisor_ptr self) {
  auto& s = self->state;
  const double now = clock_seconds(self);
  const double late = now - s.tick_due;
  if (late <= s.heartbeat_timeout / 2) return;
  core::logf(core::log_level::warn, "supervisor",
             {.iteration = static_cast<long long>(global_iteration(s))},
             "the process was paused for %.1f s (its own timer fired late): heartbeats are "
             "counted again from now",
             late);
  s.heartbeats_from = now;
}

/// Nodes that have reported nothing for heartbeat_timeout are declared failed.
void check_heartbeats(supervisor_ptr self) {
  auto& s = self->state;
  if (core::paused(s.phase)) return;  // paused for a checkpoint: nobody reports
  const double timeout = s.heartbeat_timeout;
  const double now = clock_seconds(self);
  for (std::size_t i = 0; i < s.n; ++i) {
    if (!s.view.live[i] || s.done[i]) continue;
    // A node that has not reported yet (just revived: it waits for its
    // donor's share) counts from when it was spawned.
    const double last = std::max(s.last[i] ? s.last[i]->time : s.spawned_at[i], s.heartbeats_from);
    if (now - last > timeout) {
      core::logf(
          core::log_level::warn, "supervisor",
          {.node = static_cast<int>(i), .iteration = static_cast<long long>(global_iteration(s))},
          "node %zu silent for %.1f s: declared failed", i, now - last);
      core::command kill;
      kill.kind = core::command_kind::kill;
      kill.node = static_cast<int>(i);
      const auto it = global_iteration(s);
      auto outcome = execute(self, kill);
      char why[96];
      std::snprintf(why, sizeof(why), "silent for %.1f s: declared failed; ", now - last);
      outcome.message = why + outcome.message;
      log_action(self, "fault", "supervisor", it, kill, core::command_line(kill), outcome);
    }
  }
}

}  // namespace

void print_progress(supervisor_ptr self, bool force) {
  auto& s = self->state;
  auto text =
      s.reporter.progress_line(s.view.live, s.last, global_iteration(s), run_seconds(self), force);
  if (text) show_progress(*text);
}

void log_action(supervisor_ptr self, const std::string& event, const std::string& source,
                std::uint64_t iteration, const core::command& c, const std::string& command_text,
                const command_outcome& outcome) {
  auto& s = self->state;
  std::string action = core::command_name(c.kind);
  std::replace(action.begin(), action.end(), ' ', '_');
  action_event e{
      {event, source, iteration, run_seconds(self), action, command_text, outcome.message},
      c,
      outcome.applied};
  publish(self, e);
  if (!s.reporter.is_open()) return;
  (void)write_metrics(self, core::metrics::action_line(e.record));
}

double run_seconds(supervisor_ptr self) {
  return clock_seconds(self) - self->state.start_time;
}

std::uint64_t global_iteration(const supervisor_state& s) {
  std::uint64_t it = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.view.live[i] && s.last[i]) it = std::max(it, s.last[i]->iteration);
  }
  return it;
}

void broadcast_view(supervisor_ptr self) {
  self->state.host.send_view(self, self->state.view);
}

core::status spawn_node(supervisor_ptr self, int id, std::shared_ptr<const std::vector<float>> x,
                        double w, std::shared_ptr<runtime::compute_engine> engine) {
  auto& s = self->state;
  const auto i = static_cast<std::size_t>(id);
  node_start start{
      s.gossip, s.view, s.setup, s.links, s.cfg.network.duplicate, 0, push_wire_type(s.settings)};
  if (i < s.start_at.size()) {
    std::tie(start.setup.start_iteration, start.setup.start_round) = s.start_at[i];
  }
  start.seed = core::mix_seed(s.cfg.run.seed + 7919 * static_cast<std::uint64_t>(id) +
                              s.view.incarnation[i]);
  if (auto st = s.host.spawn(self, id, std::move(x), w, std::move(engine), std::move(start));
      !st.ok()) {
    return st;
  }
  s.spawned_at[i] = clock_seconds(self);
  return {};
}

void start_node(supervisor_ptr self, int id) {
  self->state.host.start(self, id);
}

bool start_group(supervisor_ptr self) {
  auto& s = self->state;
  auto resolved = config::resolve(s.cfg);
  if (!resolved.ok()) {
    s.finished.deliver(caf::make_error(caf::sec::runtime_error, resolved.err().message));
    return false;
  }
  s.settings = std::move(resolved).value();
  s.n = static_cast<std::size_t>(s.cfg.cluster.nodes);
  s.allreduce_mode = s.settings.algorithm.name == config::algorithm_kind::ar_sgd;
  s.gossip = runtime::gossip_options_of(s.cfg, s.settings);
  s.links = runtime::configured_links(s.cfg, s.settings);
  s.view = core::membership_view::all_up(s.n);
  s.last.assign(s.n, std::nullopt);
  s.done.assign(s.n, false);
  s.spawned_at.assign(s.n, 0.0);
  s.suspected.assign(s.n, 0);
  s.edge_messages.assign(s.n * s.n, 0);
  s.edge_bytes.assign(s.n * s.n, 0);
  s.faults = runtime::scripted_faults(s.cfg, s.settings);

  auto compute = runtime::compute_setup_of(s.cfg, s.settings, s.n);
  s.host.configure(s.train, s.test, compute, s.cfg.backend.devices,
                   compute_on_own_thread(s.settings.backend), s.n);

  auto refuse = [&](const core::error& e) {
    deliver_error(self, e.message);
    return false;
  };
  const auto memory = core::physical_memory_bytes();
  if (auto st = runtime::check_datasets(s.cfg, s.settings, *s.train, *s.test); !st.ok()) {
    return refuse(st.err());
  }
  if (auto st = runtime::check_batch_memory(s.cfg, s.train->sample_elements(), memory); !st.ok()) {
    return refuse(st.err());
  }
  // Node 0's engine gives the initial model (same seed everywhere) and the
  // iteration count (shards are equal, so every node has as many batches).
  auto first = runtime::compute_engine::create(compute, s.train);
  if (!first.ok()) return refuse(first.err());
  if (auto st = runtime::check_node_memory(s.cfg, s.settings, (*first)->parameters(), memory);
      !st.ok()) {
    return refuse(st.err());
  }
  s.initial_x = std::make_shared<const std::vector<float>>((*first)->initial_parameters());
  s.per_epoch = (*first)->iterations_per_epoch();
  runtime::set_overlap_start(s.gossip, s.cfg, s.per_epoch);
  s.setup.total_iterations = static_cast<std::uint64_t>(s.per_epoch * s.cfg.schedule.epochs);
  if (s.cfg.schedule.max_iterations > 0) {
    s.setup.total_iterations = std::min(s.setup.total_iterations,
                                        static_cast<std::uint64_t>(s.cfg.schedule.max_iterations));
  }
  set_waits(s.setup, s.cfg, s.settings);
  s.reporter.configure({s.cfg.run.name, s.cfg.algorithm.name, s.cfg.model.name, s.cfg.backend.name,
                        s.cfg.schedule.epochs, s.cfg.data.batch_size, s.n, s.per_epoch,
                        s.setup.total_iterations, s.cfg.output.progress,
                        static_cast<std::uint64_t>(s.cfg.output.consensus_every_iterations),
                        s.train->classes});
  s.heartbeat_timeout = s.settings.cluster.heartbeat_timeout_seconds;

  std::error_code ec;
  std::filesystem::create_directories(s.cfg.run.dir, ec);
  if (ec) {
    return refuse(core::make_error(s.cfg.run.dir + ": cannot create the run directory (" +
                                   ec.message() + ")"));
  }
  if (auto opened = s.reporter.open(s.cfg.run.dir); !opened.ok()) {
    return refuse(opened.err());
  }

  // Every engine first: ar-sgd's path depends on where they all run.
  auto made = s.host.make_engines();
  if (!made.ok()) return refuse(made.err());
  const engine_list engines = std::move(made).value();
  // A resumed run: each node's model, weight, momentum, batch-norm
  // statistics and position from the checkpoint's cut (nothing was in
  // flight then, so the running sums start again from zero).
  std::vector<std::pair<std::shared_ptr<const std::vector<float>>, double>> starts(
      s.n, {s.initial_x, 1.0});
  std::vector<std::pair<int, int>> revive_at_start;  // (node, donor)
  std::optional<std::uint64_t> resumed_cut;
  if (!s.cfg.run.resume_from.empty()) {
    auto loaded = core::load_group_checkpoint(s.cfg.run.resume_from, group_identity_of(s));
    if (!loaded.ok()) return refuse(loaded.err().with_context("--resume"));
    s.lost_weight = loaded->lost_weight;
    s.seconds_before = std::max(0.0, loaded->seconds);
    s.start_at.assign(s.n, {0, 0});
    for (auto& rec : loaded->nodes) {
      const auto i = static_cast<std::size_t>(rec.node);
      auto x = std::make_shared<std::vector<float>>(rec.z.size());
      for (std::size_t k = 0; k < x->size(); ++k) {
        (*x)[k] = static_cast<float>(static_cast<double>(rec.z[k]) * rec.w);
      }
      starts[i] = {std::move(x), rec.w};
      engines[i]->set_momentum(rec.momentum);
      engines[i]->set_running_stats(rec.running_stats);
      s.start_at[i] = {rec.iteration, rec.round};
    }
    // A node dead (or still without mass) at the cut starts without mass
    // and takes half of a resumed node's state once all have started, as
    // a revive does: a cut is resumable whatever nodes were down then.
    // The donors take turns (one donor to all would keep 2^-k of its mass).
    for (std::size_t k = 0; k < loaded->without_state.size(); ++k) {
      const int id = loaded->without_state[k];
      const auto& donor = loaded->nodes[k % loaded->nodes.size()];
      const auto i = static_cast<std::size_t>(id);
      starts[i] = {std::make_shared<const std::vector<float>>(s.initial_x->size(), 0.0f), 0.0};
      s.start_at[i] = {donor.iteration, donor.round};
      revive_at_start.emplace_back(id, donor.node);
      core::logf(core::log_level::warn, "", {},
                 "node %d has no state in %s (it was dead, or without mass, at the cut): it "
                 "starts with half of node %d's state, as after a revive",
                 id, s.cfg.run.resume_from.c_str(), donor.node);
    }
    const auto at = loaded->nodes.front().iteration;
    resumed_cut = at;
    core::logf(core::log_level::info, "", {}, "resumed from %s at iteration %llu",
               s.cfg.run.resume_from.c_str(), static_cast<unsigned long long>(at));
    for (const auto& line : runtime::resume_fault_lines(
             runtime::settle_faults_before(s.faults, at, false, loaded->seconds),
             "the cut at iteration " + std::to_string(at))) {
      core::log(core::log_level::info, "faults", line, {.iteration = static_cast<long long>(at)});
    }
    if (!write_metrics(self, core::metrics::resume_line(at, s.cfg.run.resume_from))) {
      return false;
    }
  }
  s.checkpoint_every =
      static_cast<std::uint64_t>(s.per_epoch * s.cfg.output.checkpoint_every_epochs);
  std::uint64_t start = 0;
  for (const auto& [iteration, round] : s.start_at) start = std::max(start, iteration);
  s.setup.hold_at = next_hold(s, start);
  if (s.allreduce_mode) s.host.start_allreduce(self, s.links, engines);
  s.start_time = clock_seconds(self);
  for (std::size_t i = 0; i < s.n; ++i) {
    if (auto st =
            spawn_node(self, static_cast<int>(i), starts[i].first, starts[i].second, engines[i]);
        !st.ok()) {
      return refuse(st.err());
    }
  }
  s.start_at.clear();
  // At a resume, the faults up to the cut that fire again (links, speed)
  // fire now, before any node steps: at the first step, a push could go
  // out on a link that was down at the cut and be lost with its mass when
  // the link went down under it.
  if (resumed_cut) fire_due_faults(self, resumed_cut);
  // Senders know their peers before any worker computes.
  broadcast_view(self);
  for (std::size_t i = 0; i < s.n; ++i) start_node(self, static_cast<int>(i));
  // After the view and the starts (same sender, same order).
  for (const auto& [id, donor] : revive_at_start) {
    self->send(s.host.node(static_cast<std::size_t>(donor)).worker, give_atom::value, id, 0.5);
  }
  arm_tick(self);
  return true;
}

void on_report(supervisor_ptr self, iteration_report r) {
  auto& s = self->state;
  const auto node = static_cast<std::size_t>(r.node);
  if (node >= s.n || !s.view.live[node] || core::finishing(s.phase)) return;
  if (!std::isfinite(r.loss)) {
    abort_run(self, divergence_error(r.node, r.iteration));
    return;
  }
  r.paused = s.paused_total;
  auto e = s.reporter.record(r, r.time - s.start_time);
  if (!e.ok()) {
    abort_run(self, e.err().message);
    return;
  }
  publish(self, *e);
  record_traffic(s, r);
  s.last[node] = std::move(r);
  fire_due_faults(self);
  print_progress(self, false);
  if (s.reporter.consensus_due(global_iteration(s))) measure_consensus(self);
}

supervisor_handle::behavior_type supervisor_actor(supervisor_ptr self, config::config cfg,
                                                  std::shared_ptr<const data::dataset> train,
                                                  std::shared_ptr<const data::dataset> test) {
  self->state.cfg = std::move(cfg);
  self->state.train = std::move(train);
  self->state.test = std::move(test);
  // An exception here or in any actor of the group ends the run with it:
  // the start request gets the error instead of waiting for ever.
  end_run_on_exception(self, "the supervisor",
                       [self](const std::string& why) { abort_run(self, why); });
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& s = self->state;
    if (unsubscribe(self, down.source)) return;  // a listener went away: not a failure
    if (auto failure = actor_failure_text(down.reason); !failure.empty()) {
      core::log(core::log_level::error, "supervisor", failure,
                {.iteration = static_cast<long long>(global_iteration(s))});
      abort_run(self, failure);
      return;
    }
    for (std::size_t i = 0; i < s.n; ++i) {
      if (s.view.live[i] && s.host.node(i).worker &&
          s.host.node(i).worker.address() == down.source) {
        // Died without a kill: what it held cannot be accounted.
        const std::string reason = caf::to_string(down.reason);
        core::logf(
            core::log_level::warn, "supervisor",
            {.node = static_cast<int>(i), .iteration = static_cast<long long>(global_iteration(s))},
            "node %zu died (%s)", i, reason.c_str());
        core::command kill;
        kill.kind = core::command_kind::kill;
        kill.node = static_cast<int>(i);
        log_action(self, "fault", "supervisor", global_iteration(s), kill, "node died",
                   {true, "node " + std::to_string(i) + " died (" + reason + ")"});
        s.weight_exact = false;
        s.view.live[i] = false;
        ++s.view.epoch;
        broadcast_view(self);
      }
    }
  });
  return {
      [=](start_atom) -> caf::result<runtime::run_summary> {
        auto& s = self->state;
        if (core::started(s.phase)) {
          return caf::make_error(caf::sec::runtime_error, "already started");
        }
        s.on(core::phase_event::start);
        s.finished = self->make_response_promise();
        start_group(self);
        return s.finished;
      },
      [=](report_atom, iteration_report& r) { on_report(self, std::move(r)); },
      [=](done_atom, int node, std::uint64_t) {
        // (No stale one: a pause here ends only after every node said done.)
        auto& s = self->state;
        s.done[static_cast<std::size_t>(node)] = true;
        for (std::size_t i = 0; i < s.n; ++i) {
          if (s.view.live[i] && !s.done[i]) return;
        }
        if (!core::finishing(s.phase) && s.setup.hold_at > 0 &&
            s.setup.hold_at < s.setup.total_iterations) {
          checkpoint_pause(self);
          return;
        }
        finish(self);
      },
      [=](suspect_atom, int node, const std::vector<std::size_t>& suspects) {
        auto& s = self->state;
        ++s.late_total;
        for (const auto p : suspects) {
          if (p >= s.n) continue;
          ++s.suspected[p];
          // algorithm.resend_on_timeout: the in-neighbour sends that edge's
          // running sums again (over its links, which may lose them too).
          if (s.cfg.algorithm.resend_on_timeout && s.view.live[p]) {
            self->send(s.host.node(p).worker, resend_atom::value, node);
          }
        }
      },
      [=](forgot_atom, int, const std::vector<core::forgotten_edges>& edges) {
        // A survivor's side of the edges to a dead node: what it sent that the
        // dead node never applied is lost; what the dead node had sent it
        // (counted there) but it never applied is lost too.
        auto& s = self->state;
        for (const auto& e : edges) s.lost_weight += e.sent_weight - e.applied_weight;
      },
      [=](flush_atom) { drain(self); },
      [=](tick_atom) {
        auto& s = self->state;
        if (core::finishing(s.phase)) return;
        detect_pause(self);
        fire_due_faults(self);
        check_heartbeats(self);
        sample_status(self);
        arm_tick(self);
      },
      [=](command_atom, const std::string& line) -> std::string {
        auto c = core::parse_command(line, static_cast<int>(self->state.cfg.cluster.nodes));
        if (!c.ok()) return "error: " + c.err().message;
        return run_command(self, *c, "console", line).message;
      },
      [=](command_atom, const core::command& c) -> command_outcome {
        return run_command(self, c, "api", core::command_line(c));
      },
      [=](subscribe_atom, const caf::actor& listener) { subscribe(self, listener); },
      [=](unsubscribe_atom, const caf::actor& listener) {
        if (listener) unsubscribe(self, listener.address());
      },
      [=](stop_atom) {
        if (!core::finishing(self->state.phase)) finish(self);
      },
      [=](status_atom) -> core::cluster_status { return cluster_status_of(self); },
  };
}

}  // namespace sgp::actors
