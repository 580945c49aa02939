// What a cluster process shows on its status page and answers to console
// commands (see process_host.hpp): its own nodes in full, the other
// processes' nodes by liveness; `status`, `help` and `stop` work, the
// commands that act on nodes or links of other processes are refused by
// name.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "actors/process_host.hpp"
#include "actors/sender_actor.hpp"
#include "core/command.hpp"

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
      n.state = !it->last ? "starting" : it->done ? "done" : "train";
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
    case core::command_kind::stop:
      self->send(self, stop_atom::value);
      return "stopping the cluster: every process pauses, then evaluation and summary";
    case core::command_kind::help:
      return "across processes: status, stop, help (the others act on one process's run: use "
             "sgp train for them)";
    default:
      return "'" + line + "' is not supported across processes yet (status, stop and help are)";
  }
}

}  // namespace sgp::actors
