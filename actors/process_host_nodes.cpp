// Node-level kill and revive in a cluster (see process_host.hpp and
// docs/cluster.md, "Killing and reviving a node"). The process that owns a
// node is the one authority on its life: a kill or revive is applied there
// (its own [[faults]], a console command it took or one forwarded to it),
// then every process is told with a node notice and applies it to its view
// once (core/node_life.hpp). A killed node's actors stop; every process's
// nodes forget their edges with it, and the weight is accounted as for a
// dead process's nodes. A revived node is a new incarnation that starts
// without mass (x = 0, w = 0) and takes it from its in-neighbours' pushes,
// as a rejoined process's nodes do (gossip_node::join_from).
#include <algorithm>

#include "actors/process_host.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/node_life.hpp"

namespace sgp::actors {
namespace {

using core::node_change;

bool owns(const process_host_state& s, std::size_t node) {
  return s.setup.node_process[node] == s.setup.process;
}

std::string change_text(const node_change& c, const std::string& origin) {
  const auto node = std::to_string(c.node);
  if (c.kind == node_change::what::kill) {
    return "node " + node + " killed (asked by " + origin +
           "): it left the view, and every edge with it is forgotten with its weight accounted";
  }
  return "node " + node + " revived as incarnation " + std::to_string(c.incarnation) +
         " (asked by " + origin +
         "): it starts without mass and takes it from its in-neighbours (the cluster is at "
         "iteration " +
         std::to_string(c.iteration) + ")";
}

/// The owner: node `id`'s actors stop (not a failure: no longer monitored).
void stop_local(host_ptr self, int id) {
  auto& s = self->state;
  const auto it =
      std::find_if(s.nodes.begin(), s.nodes.end(), [&](const local_node& n) { return n.id == id; });
  if (it == s.nodes.end()) return;
  const local_node dead = *it;
  s.nodes.erase(it);
  self->demonitor(dead.worker.address());
  self->demonitor(dead.compute.address());
  self->demonitor(dead.sender.address());
  // The worker first (its last state is not needed: the survivors account
  // the weight of their edges with it), then the actors that serve it.
  const auto rest = [self, dead] {
    self->send_exit(dead.compute, caf::exit_reason::kill);
    self->send_exit(dead.sender, caf::exit_reason::kill);
  };
  self->request(dead.worker, caf::infinite, stop_atom::value)
      .then([rest](const node_snapshot&) { rest(); }, [rest](const caf::error&) { rest(); });
}

/// The owner: node `c.node`'s new incarnation, without mass, at the
/// cluster's iteration. False: it could not be made (the run ends).
bool spawn_revived(host_ptr self, const node_change& c, int device) {
  auto& s = self->state;
  const int id = static_cast<int>(c.node);
  if (auto st = spawn_local_node(self, id, device, nullptr); !st.ok()) {
    abort_cluster(self, "node " + std::to_string(id) + ": revive failed: " + st.err().message);
    return false;
  }
  for (auto& node : s.nodes) {
    if (node.id != id) continue;
    node.initial_weight = 0.0;
    // Before the view reaches anyone who may push to it (same sender,
    // earlier): it waits for its first push with no mass.
    self->send(node.worker, rejoin_atom::value, s.view, std::max(c.iteration, local_iteration(s)));
  }
  return true;
}

/// Applies `c` to this process's view (the owner stops or spawns the
/// node's actors), logs it and writes an event. False: not news here.
bool apply_change(host_ptr self, const node_change& c, const std::string& origin) {
  auto& s = self->state;
  const bool was_live = s.view.live[c.node];
  if (!core::apply_node_change(s.view, c)) return false;
  const bool mine = owns(s, c.node);
  if (mine && was_live) stop_local(self, static_cast<int>(c.node));
  if (c.kind == node_change::what::kill) {
    tell_both_halves(self, forgot_atom::value, static_cast<std::uint32_t>(c.node));
  }
  if (mine && c.kind == node_change::what::revive) {
    if (!spawn_revived(self, c, s.node_device[c.node])) return true;
  }
  broadcast_view(self);
  if (mine && c.kind == node_change::what::revive) {
    for (const auto& node : s.nodes) {
      if (node.id == static_cast<int>(c.node)) {
        self->send(node.worker, start_atom::value, node.compute, node.sender);
      }
    }
  }
  const bool kill = c.kind == node_change::what::kill;
  core::logf(core::log_level::warn, "cluster", {.process = my_name(s)}, "%s",
             change_text(c, origin).c_str());
  (void)write_metrics_line(self, core::json_object()
                                     .add("event", kill ? "node_killed" : "node_revived")
                                     .add("node", static_cast<int>(c.node))
                                     .add("incarnation", static_cast<std::int64_t>(c.incarnation))
                                     .add("iteration", static_cast<std::int64_t>(c.iteration))
                                     .add("asked_by", origin)
                                     .add("unix_time", unix_seconds())
                                     .str());
  // Its other nodes may have been waiting only for the killed one.
  if (mine && kill && s.phase == host_phase::training &&
      std::all_of(s.nodes.begin(), s.nodes.end(), [](const local_node& n) { return n.done; })) {
    nodes_done(self);
  }
  return true;
}

/// The owner decides: the change, applied here and told to every process.
std::string change_own_node(host_ptr self, const core::command& c, const std::string& origin) {
  auto& s = self->state;
  const auto node = static_cast<std::size_t>(c.node);
  const auto refuse = [&](const std::string& why) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "%s %d (asked by %s) is refused: %s", core::command_name(c.kind).c_str(), c.node,
               origin.c_str(), why.c_str());
    return "error: " + why;
  };
  if (s.phase != host_phase::training) {
    return refuse("this process is not training (its nodes are done, or the run ends)");
  }
  const auto at = local_iteration(s);
  node_change change;
  if (c.kind == core::command_kind::kill) {
    if (!s.view.live[node]) return refuse("node " + std::to_string(node) + " is not running");
    change = {node_change::what::kill, node, s.view.incarnation[node], at};
  } else {
    auto planned =
        core::plan_revive(s.view, node, at, s.wsetup.total_iterations, core::revive_margin);
    if (!planned.ok()) return refuse(planned.err().message);
    change = planned.value();
  }
  // Every process hears it (this one skips its own notice).
  send_notice(self, all_processes, net::wire::notice_topic::node, origin,
              core::encode_node_change(change));
  apply_change(self, change, origin);
  return change_text(change, origin);
}

}  // namespace

std::string node_command(host_ptr self, const core::command& c, const std::string& origin,
                         bool forward) {
  auto& s = self->state;
  const auto node = static_cast<std::size_t>(c.node);
  if (owns(s, node)) return change_own_node(self, c, origin);
  if (!forward) return {};  // a fault: the owner fires it, and tells everyone
  const auto owner = s.setup.node_process[node];
  if (!s.process_live[owner]) {
    return "error: node " + std::to_string(node) + " lives in process " + s.setup.names[owner] +
           ", which is dead";
  }
  send_notice(self, owner, net::wire::notice_topic::command,
              core::command_name(c.kind) + " " + std::to_string(node));
  return "sent to process " + s.setup.names[owner] + ", which owns node " + std::to_string(node) +
         " (every process logs it when it is done)";
}

namespace {

/// Local node `from`, if live, sends its edge's sums to `to` again.
void resend_from(host_ptr self, std::size_t from, std::size_t to) {
  auto& s = self->state;
  if (from >= s.view.live.size() || !s.view.live[from]) return;
  for (const auto& node : s.nodes) {
    if (node.id == static_cast<int>(from)) {
      self->send(node.worker, resend_atom::value, static_cast<int>(to));
    }
  }
}

}  // namespace

void request_resends(host_ptr self, int node, const std::vector<std::size_t>& suspects) {
  auto& s = self->state;
  if (s.phase != host_phase::training || node < 0) return;
  for (const auto p : suspects) {
    if (p >= s.n || !s.view.live[p]) continue;
    const auto owner = s.setup.node_process[p];
    if (owner == s.setup.process) {
      resend_from(self, p, static_cast<std::size_t>(node));
    } else {
      send_notice(self, owner, net::wire::notice_topic::resend, {},
                  core::encode_resend({p, static_cast<std::size_t>(node)}));
      ++s.resends_asked;
    }
  }
}

void on_resend_notice(host_ptr self, const net::wire::notice& n) {
  auto& s = self->state;
  if (s.phase != host_phase::training || !s.nodes_spawned) return;
  // Checked like any input from a peer: two node ids, the first ours.
  auto r = core::decode_resend(n.values, s.n);
  if (r.ok() && s.setup.node_process[r->from] != s.setup.process) {
    r = core::make_error("node " + std::to_string(r->from) + " is not this process's");
  }
  if (!r.ok()) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "a resend notice from process %s is refused: %s", s.setup.names[n.process].c_str(),
               r.err().message.c_str());
    return;
  }
  resend_from(self, r->from, r->to);
  ++s.resends_made;
}

void on_node_notice(host_ptr self, const net::wire::notice& n) {
  auto& s = self->state;
  if (n.process == s.setup.process) return;  // applied when it was sent
  // Not started yet (a restarted process before its welcome): the
  // welcome's view, sent later, has the change.
  if (!s.nodes_spawned) return;
  auto c = core::decode_node_change(n.values, s.n);
  if (!c.ok()) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "a node notice from process %s is refused: %s", s.setup.names[n.process].c_str(),
               c.err().message.c_str());
    return;
  }
  if (s.setup.node_process[c->node] != n.process) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "a node notice from process %s is refused: node %zu is not its",
               s.setup.names[n.process].c_str(), c->node);
    return;
  }
  (void)apply_change(self, c.value(), n.text);
}

}  // namespace sgp::actors
