// A restarted process rejoins a running cluster (see process_host.hpp and
// docs/cluster.md, "Rejoining"). On a survivor: a dead process heard again
// as a new incarnation is readmitted while this process trains; its nodes
// come back into the view as new node incarnations and it is sent a
// welcome (the view, the iteration, the processes' state, and the link and
// slow commands the cluster applied, which it applies again). On the
// restarted process: once a peer readmitted it, its nodes wait for the
// welcome, start over without mass (x = 0, w = 0) and take mass from their
// in-neighbours' pushes, joining the rounds at the first one. No mass is
// made or lost: the weight its old life held was accounted by the
// survivors when it died, and the summary expects what the live nodes
// started with (0 for a rejoined node).
#include <algorithm>
#include <cmath>

#include "actors/process_host.hpp"
#include "actors/sender_actor.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/node_life.hpp"

namespace sgp::actors {
namespace {

/// A process is readmitted only this many iterations before the end: its
/// nodes join at their first push, and in-neighbours that are done push no
/// more (a node that never got one would never finish). The same margin
/// as a revived node's.
constexpr std::uint64_t rejoin_margin = core::revive_margin;

void log_event(host_ptr self, const char* event, std::uint32_t process, std::uint64_t incarnation,
               std::uint64_t iteration) {
  auto& s = self->state;
  (void)write_metrics_line(self, core::json_object()
                                     .add("event", event)
                                     .add("process", s.setup.names[process])
                                     .add("incarnation", static_cast<std::int64_t>(incarnation))
                                     .add("iteration", static_cast<std::int64_t>(iteration))
                                     .add("unix_time", unix_seconds())
                                     .str());
}

/// The restarted process takes the welcome: the view, the processes'
/// state, and its nodes start over without mass.
void apply_welcome(host_ptr self) {
  auto& s = self->state;
  const auto& w = *s.welcome;
  s.welcome_applied = true;
  s.view = core::view_of(w, s.view.epoch + 1);
  for (std::uint32_t p = 0; p < s.process_live.size(); ++p) {
    if (p == s.setup.process) continue;
    s.process_live[p] = w.process_live[p];
    s.process_done[p] = w.process_done[p];
    // Dead in the cluster: the bridge stops waiting for it to join.
    if (!w.process_live[p]) tell_both_halves(self, down_atom::value, p);
  }
  // The links, partitions and slow nodes the cluster has now: the
  // commands it applied, again, in order (before the nodes take the view).
  std::size_t from = 0;
  while (from < s.welcome_commands.size()) {
    auto to = s.welcome_commands.find('\n', from);
    if (to == std::string::npos) to = s.welcome_commands.size();
    const auto line = s.welcome_commands.substr(from, to - from);
    from = to + 1;
    if (line.empty()) continue;
    const auto c = core::parse_command(line, static_cast<int>(s.n));
    if (!c.ok()) {
      core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
                 "the welcome's command '%s' is refused: %s", line.c_str(),
                 c.err().message.c_str());
      continue;
    }
    (void)apply_cluster_command(self, *c, "process " + s.welcome_from + "'s welcome");
  }
  s.join_floor = std::max(s.join_floor, w.iteration);
  for (auto& node : s.nodes) {
    node.initial_weight = 0.0;
    self->send(node.worker, rejoin_atom::value, s.view, s.join_floor);
  }
  broadcast_view(self);
  const auto [first, last] = core::nodes_of(s.setup.node_process, s.setup.process);
  core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
             "process %s rejoined (incarnation %llu): its nodes %d..%d start without mass and "
             "take it from their in-neighbours (the cluster is at iteration %llu)",
             my_name(s).c_str(), static_cast<unsigned long long>(w.incarnation), first, last,
             static_cast<unsigned long long>(w.iteration));
  log_event(self, "rejoined", s.setup.process, w.incarnation, w.iteration);
}

}  // namespace

void maybe_begin_training(host_ptr self) {
  auto& s = self->state;
  if (!s.nodes_spawned) return;
  if (s.welcome && !s.welcome_applied) apply_welcome(self);
  if (!s.joined || (s.rejoining && !s.welcome_applied)) return;
  if (s.rejoining) return begin_training(self);  // the others are training
  at_start_barrier(self);
}

std::uint64_t local_iteration(const process_host_state& s) {
  std::uint64_t at = 0;
  for (const auto& node : s.nodes) {
    if (node.last) at = std::max(at, node.last->iteration);
  }
  return at;
}

void on_back(host_ptr self, std::uint32_t process, std::uint64_t incarnation) {
  auto& s = self->state;
  if (process >= s.process_live.size() || s.phase == host_phase::finished) return;
  const auto& name = s.setup.names[process];
  const auto [first, last] = core::nodes_of(s.setup.node_process, process);
  if (s.allreduce) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "process %s is back (incarnation %llu), but ar-sgd does not let a process rejoin: "
               "its nodes %d..%d stay dead",
               name.c_str(), static_cast<unsigned long long>(incarnation), first, last);
    return;
  }
  if (s.phase != host_phase::training || s.process_live[process] ||
      incarnation >= core::max_exact_double) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "process %s is back (incarnation %llu), but this process is not training (its "
               "nodes are done, or the run ends): its nodes %d..%d stay dead",
               name.c_str(), static_cast<unsigned long long>(incarnation), first, last);
    return;
  }
  if (const auto at = local_iteration(s); at + rejoin_margin >= s.wsetup.total_iterations) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "process %s is back (incarnation %llu), but the run is too close to its end "
               "(iteration %llu of %llu): its nodes %d..%d stay dead",
               name.c_str(), static_cast<unsigned long long>(incarnation),
               static_cast<unsigned long long>(at),
               static_cast<unsigned long long>(s.wsetup.total_iterations), first, last);
    return;
  }
  (void)core::readmit(s.view, s.setup.node_process, process, incarnation);
  s.process_live[process] = true;
  s.process_done[process] = false;
  // The bridge first (it sends our settings to the process, then the
  // welcome follows on the same connection), then the local nodes.
  tell_both_halves(self, readmit_atom::value, process, incarnation);
  broadcast_view(self);
  core::welcome w;
  w.incarnation = incarnation;
  w.iteration = local_iteration(s);
  w.live = s.view.live;
  w.node_incarnation = s.view.incarnation;
  w.process_live = s.process_live;
  w.process_done = s.process_done;
  w.process_done[s.setup.process] = false;  // training
  // At (or paused at) a checkpoint's pause: the readmitted process, live
  // in that cut now, pauses there too, else the cut would wait for it
  // until given up. Then this process's own held mark, which it sent
  // before the newcomer was there to hear it (a restarted coordinator
  // would wait for it).
  if (s.hold_at > 0 && s.hold_at <= w.iteration && s.hold_at < s.wsetup.total_iterations) {
    w.paused_at = s.hold_at;
  }
  w.run_milliseconds =
      static_cast<std::uint64_t>(std::llround(1000.0 * run_seconds(s, clock_seconds(self))));
  // Its text: the link and slow commands applied so far, one per line.
  std::string commands;
  for (const auto& line : s.applied_commands) commands += line + "\n";
  send_notice(self, process, net::wire::notice_topic::welcome, std::move(commands),
              core::encode_welcome(w));
  core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
             "process %s rejoined (incarnation %llu): its nodes %d..%d take mass from their "
             "in-neighbours",
             name.c_str(), static_cast<unsigned long long>(incarnation), first, last);
  log_event(self, "process_rejoined", process, incarnation, w.iteration);
  forget_process_round(self, process);
  if (s.held_since >= 0.0) {
    send_notice(self, process, net::wire::notice_topic::held, {}, {static_cast<double>(s.hold_at)});
  }
}

void on_cut_off(host_ptr self, std::uint32_t peer, const std::string& why) {
  auto& s = self->state;
  if (s.phase == host_phase::finished) return;
  (void)write_metrics_line(self,
                           core::json_object()
                               .add("event", "cut_off")
                               .add("process", my_name(s))
                               .add("by", s.setup.names[peer])
                               .add("iteration", static_cast<std::int64_t>(local_iteration(s)))
                               .add("unix_time", unix_seconds())
                               .str());
  // No abort notice: the others train on; this process's nodes are dead to them.
  std::string end = "process " + my_name(s) + " was cut off from the cluster: " + why;
  if (s.allreduce) {
    end += "; ar-sgd lets no process rejoin, so it stops here";
  } else if (s.phase != host_phase::training) {
    end += "; the run is ending, too late to rejoin";
  } else if (s.setup.restart) {
    s.setup.restart->store(true);
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "%s: it restarts to rejoin (its nodes' mass was accounted as gone by the others; "
               "they start again without mass)",
               end.c_str());
  }
  if (!s.finished.pending()) s.ended_before_start = end;
  stop_nodes(self);
  s.finished.deliver(caf::make_error(caf::sec::runtime_error, end));
}

void on_rejoining(host_ptr self, std::uint32_t peer) {
  auto& s = self->state;
  if (s.rejoining || s.phase != host_phase::joining) return;
  s.rejoining = true;
  core::logf(core::log_level::info, "cluster", {.process = my_name(s)},
             "process %s readmitted this process: it rejoins a running cluster",
             s.setup.names[peer].c_str());
}

namespace {

/// A welcome after the one taken: every survivor sends one, and the first
/// heard may come from a process behind the others (stopped, or slow),
/// while another is paused for a checkpoint further on. This process's
/// nodes still waiting for their first push then join no lower than the
/// later welcome's iteration, and pause where it is paused, so that the
/// cut does not wait for a push that the paused nodes no longer send.
/// A node that joined already keeps its join point.
void later_welcome(host_ptr self, const core::welcome& w, const std::string& from) {
  auto& s = self->state;
  auto& taken = *s.welcome;
  auto standing = taken;  // as far as a welcome took this process so far
  standing.iteration = std::max(taken.iteration, s.join_floor);
  const auto effect = core::effect_of_later_welcome(standing, w, s.last_released,
                                                    local_iteration(s), s.wsetup.total_iterations);
  const bool further = effect.join_at_least > 0;
  const bool paused = effect.pause_at > 0;
  if (!further && !paused) return;
  core::logf(core::log_level::info, "cluster", {.process = my_name(s)},
             "a later welcome from process %s (iteration %llu%s; the one taken: %llu, from %s): "
             "nodes still without mass join no lower than that",
             from.c_str(), static_cast<unsigned long long>(w.iteration),
             paused ? (", paused at " + std::to_string(w.paused_at)).c_str() : "",
             static_cast<unsigned long long>(standing.iteration), s.welcome_from.c_str());
  if (further) {
    s.join_floor = effect.join_at_least;
    // Before the welcome is applied, apply_welcome takes the floor; after,
    // the nodes are told.
    if (s.welcome_applied) {
      for (auto& node : s.nodes) self->send(node.worker, rejoin_atom::value, s.join_floor);
    }
  }
  if (paused) {
    taken.paused_at = effect.pause_at;
    // Training: its nodes pause there now (a held notice follows once
    // they say so; one already sent for another pause is not this one's);
    // else begin_training pauses them there.
    if (s.phase == host_phase::training && !s.stopping && s.hold_at != effect.pause_at) {
      s.held_since = -1.0;
      pause_nodes_at(self, effect.pause_at);
    }
  }
}

}  // namespace

void on_welcome(host_ptr self, const net::wire::notice& n) {
  auto& s = self->state;
  const bool later = s.welcome && s.rejoining &&
                     (s.phase == host_phase::joining || s.phase == host_phase::training);
  if ((s.welcome && !later) || (!s.welcome && s.phase != host_phase::joining)) return;
  auto w = core::decode_welcome(n.values, s.n, s.setup.names.size());
  if (!w.ok()) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "a welcome from process %s is refused: %s", s.setup.names[n.process].c_str(),
               w.err().message.c_str());
    return;
  }
  if (w->incarnation != s.setup.incarnation) return;  // for an earlier life of this process
  if (later) return later_welcome(self, *w, s.setup.names[n.process]);
  s.rejoining = true;
  s.welcome = std::move(w).value();
  s.welcome_from = s.setup.names[n.process];
  s.welcome_commands = n.text;
  maybe_begin_training(self);
}

}  // namespace sgp::actors
