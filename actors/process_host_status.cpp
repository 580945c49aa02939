// What a cluster process shows on its status page and answers to console
// commands (see process_host.hpp): its own nodes in full, the other
// processes' nodes by liveness; `status`, `help` and `stop` work; link,
// partition, heal and slow commands are applied here and sent to every
// process (a command notice), which applies them to its own senders, view
// and nodes; kill and revive go to the node's process, which applies them
// and tells every process (process_host_nodes.cpp); topology answers from
// this process's view; checkpoint pauses every process at one iteration
// (process_host_checkpoint.cpp).
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "actors/link_commands.hpp"
#include "actors/process_host.hpp"
#include "actors/sender_actor.hpp"
#include "core/command.hpp"
#include "core/connectivity.hpp"
#include "core/log.hpp"

namespace sgp::actors {

core::cluster_status process_status(host_ptr self) {
  auto& s = self->state;
  core::cluster_status out;
  out.algorithm = s.setup.cfg.algorithm.name;
  out.topology = s.setup.cfg.algorithm.topology;
  out.time = s.start_time > 0 ? clock_seconds(self) - s.start_time : 0.0;
  out.total_iterations = s.wsetup.total_iterations;
  out.view_epoch = s.view.epoch;
  out.live_nodes =
      static_cast<std::size_t>(std::count(s.view.live.begin(), s.view.live.end(), true));
  out.finishing = s.phase == host_phase::finishing || s.phase == host_phase::finished;
  // The coordinator's last measurement across processes (NaN elsewhere).
  if (s.last_consensus >= 0.0) out.consensus_distance = s.last_consensus;
  char host[256] = {};
  (void)::gethostname(host, sizeof(host) - 1);
  for (std::size_t i = 0; i < s.n; ++i) {
    core::node_status n;
    n.id = static_cast<int>(i);
    const auto process = s.setup.node_process[i];
    n.host = s.setup.names[process];
    if (!s.view.live[i]) {
      n.state = "dead";
    } else if (process != s.setup.process) {
      n.state = "starting";  // another process's: its own page has it
      n.host = "process " + s.setup.names[process];
    }
    const auto it = std::find_if(s.nodes.begin(), s.nodes.end(),
                                 [&](const local_node& l) { return l.id == n.id; });
    if (it != s.nodes.end() && s.view.live[i]) {
      n.host = host;
      n.process = static_cast<int>(::getpid());
      // Done before the end: paused for a checkpoint (as in one process).
      n.state = !it->last             ? "starting"
                : !it->done           ? "train"
                : s.held_since >= 0.0 ? "paused"
                                      : "done";
      if (it->last) {
        n.iteration = it->last->iteration;
        n.loss = it->last->loss;
        n.w = it->last->w;
        n.comm_wait = it->last->comm_wait;
        n.compute_seconds = it->last->compute_seconds;
        n.messages_late = it->last->messages_late;
        n.messages_lost = it->last->messages_lost;
        n.messages_duplicate = it->last->messages_duplicate;
        n.out_peers = it->last->out_peers;
        out.iteration = std::max(out.iteration, n.iteration);
      }
    }
    out.nodes.push_back(std::move(n));
  }
  return out;
}

std::string apply_cluster_command(host_ptr self, const core::command& c,
                                  const std::string& origin) {
  auto& s = self->state;
  std::string what;
  if (c.kind == core::command_kind::slow) {
    for (const auto& node : s.nodes) {
      if (node.id == c.node) self->send(node.compute, slow_atom::value, c.factor);
    }
    what = slow_text(c);
  } else {
    for (const auto& u : link_updates_of(c, s.links)) {
      apply_link_update(s.links, u);
      for (const auto& node : s.nodes) self->send(node.sender, links_atom::value, u);
    }
    // The schedule routes around the links that are down, as in one process.
    mask_from_links(s.view.links, s.links);
    ++s.view.epoch;
    broadcast_view(self);
    what = c.kind == core::command_kind::link_set ? link_set_text(c, s.links) : link_state_text(c);
  }
  core::logf(core::log_level::info, "cluster", {.process = s.setup.names[s.setup.process]},
             "%s (asked by %s)", what.c_str(), origin.c_str());
  s.applied_commands.push_back(core::command_line(c));
  return what;
}

void fire_due_faults(host_ptr self, std::optional<std::uint64_t> at) {
  auto& s = self->state;
  if (s.phase != host_phase::training) return;
  std::uint64_t fastest = 0;
  if (at) {
    fastest = *at;
  } else {
    for (const auto& node : s.nodes) {
      if (node.last) fastest = std::max(fastest, node.last->iteration);
    }
  }
  const double seconds = run_seconds(s, clock_seconds(self));
  for (auto& f : s.faults) {
    if (!f.due(fastest, seconds)) continue;
    f.fired = true;
    const auto origin = "[[faults]] at iteration " + std::to_string(fastest);
    if (f.command.kind == core::command_kind::kill ||
        f.command.kind == core::command_kind::revive) {
      // The node's process fires it and tells the others (a node notice):
      // one decision, so every view agrees.
      (void)node_command(self, f.command, origin + " on process " + s.setup.names[s.setup.process],
                         false);
      continue;
    }
    apply_cluster_command(self, f.command, origin);
  }
}

std::string process_command(host_ptr self, const std::string& line) {
  auto& s = self->state;
  auto c = core::parse_command(line, static_cast<int>(s.n));
  if (!c.ok()) return "error: " + c.err().message;
  const auto& me = s.setup.names[s.setup.process];
  switch (c->kind) {
    case core::command_kind::status: {
      std::string out = "process " + me + " (" + std::to_string(s.nodes.size()) + " of " +
                        std::to_string(s.n) + " nodes)\n";
      for (const auto& node : s.nodes) {
        char row[160];
        std::snprintf(row, sizeof(row), "node %d: %s, iteration %llu, loss %.4f, w %.6g\n", node.id,
                      !s.view.live[static_cast<std::size_t>(node.id)] ? "dead"
                      : node.done                                     ? "done"
                                                                      : "train",
                      static_cast<unsigned long long>(node.last ? node.last->iteration : 0),
                      node.last ? node.last->loss : 0.0, node.last ? node.last->w : 0.0);
        out += row;
      }
      for (std::size_t p = 0; p < s.process_live.size(); ++p) {
        if (p == s.setup.process) continue;
        out += "process " + s.setup.names[p] + ": " + (s.process_live[p] ? "live" : "dead") + "\n";
      }
      return out;
    }
    case core::command_kind::topology:
      // This process's view: its link mask has every link command the
      // cluster applied, its liveness every node the cluster lost.
      return "process " + me + ": " +
             core::topology_report(s.gossip.schedule, s.view.live, s.view.links, local_iteration(s),
                                   s.view.epoch);
    case core::command_kind::stop:
      self->send(self, stop_atom::value);
      return "stopping the cluster: every process pauses, then evaluation and summary";
    case core::command_kind::help:
      return "across processes: status, topology, stop, checkpoint, help, link down/up/set, "
             "partition, heal, slow, kill, revive (SGP, OSGP)";
    case core::command_kind::checkpoint: {
      if (s.phase != host_phase::training || s.stopping) return "error: the run is ending";
      // A few iterations past this process's: every process pauses at the
      // one iteration (they are within an iteration or two of each other).
      const std::uint64_t at = local_iteration(s) + 3;
      if (at >= s.wsetup.total_iterations) {
        return "error: the run ends within three iterations (its end needs no checkpoint)";
      }
      send_notice(self, all_processes, net::wire::notice_topic::command, line,
                  {static_cast<double>(at)});
      return "checkpoint at iteration " + std::to_string(schedule_checkpoint(self, at)) +
             ": every process's nodes pause there, what is in flight arrives, then each writes "
             "RUN_DIR/NAME/checkpoints/latest.ckpt (sent to every process)";
    }
    case core::command_kind::kill:
    case core::command_kind::revive: {
      if (s.allreduce) {
        return "error: '" + line +
               "' is not supported across processes with ar-sgd (its replicas hold no push-sum "
               "weight to take from in-neighbours: a revived node would need a copy of the "
               "model, which does not cross processes); SGP and OSGP kill and revive nodes";
      }
      if (s.phase != host_phase::training) return "error: the run is ending";
      return node_command(self, *c, "process " + me, true);
    }
    case core::command_kind::link_down:
    case core::command_kind::link_up:
    case core::command_kind::link_set:
    case core::command_kind::partition:
    case core::command_kind::heal:
    case core::command_kind::slow: {
      if (s.phase != host_phase::training) return "error: the run is ending";
      const auto what = apply_cluster_command(self, *c, "process " + me);
      send_notice(self, all_processes, net::wire::notice_topic::command, line);
      return what + " (sent to every process)";
    }
    default:
      return "'" + line +
             "' is not supported across processes yet (status, topology, stop, checkpoint, help, "
             "link, partition, heal, slow, kill and revive are)";
  }
}

}  // namespace sgp::actors
