// The supervisor's console commands and scripted faults: links, partitions,
// slow nodes, kills and revivals, status and topology (see supervisor_state.hpp).
#include <cmath>
#include <cstdio>
#include <sstream>

#include "actors/link_commands.hpp"
#include "actors/sender_actor.hpp"
#include "actors/supervisor_state.hpp"
#include "core/connectivity.hpp"

namespace sgp::actors {
namespace {

/// Concatenates anything streamable (GCC 12 warns falsely on long chains of
/// std::string operator+).
template <class... Ts>
std::string text(const Ts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

command_outcome applied(std::string message) {
  return {true, std::move(message)};
}

command_outcome refused(std::string message) {
  return {false, std::move(message)};
}

/// Sends a link change to every sender and the AllReduce actor, then
/// recomputes the view's link mask from the emulator and broadcasts it.
void change_links(supervisor_ptr self, const link_update& u) {
  auto& s = self->state;
  apply_link_update(s.links, u);
  s.host.send_links(self, s.view.live, u);
  mask_from_links(s.view.links, s.links);
  ++s.view.epoch;
  broadcast_view(self);
}

/// Applies a link, partition or heal command's changes in order.
void change_links(supervisor_ptr self, const core::command& c) {
  for (const auto& u : link_updates_of(c, self->state.links)) change_links(self, u);
}

command_outcome kill_node(supervisor_ptr self, int id) {
  auto& s = self->state;
  const auto i = static_cast<std::size_t>(id);
  if (!s.view.live[i]) return refused(text("node ", id, " is not running"));
  const node_actors dead = s.host.node(i);
  // The view changes now, so nothing new is scheduled to the node; its last
  // state (for the weight accounting) arrives with the worker's reply.
  s.view.live[i] = false;
  ++s.view.epoch;
  s.last[i].reset();
  ++s.pending_kills;
  self->request(dead.worker, caf::infinite, stop_atom::value)
      .then(
          [=](const node_snapshot& last) {
            auto& st = self->state;
            double lost = last.w;
            for (std::size_t p = 0; p < last.sent_weight.size(); ++p) {
              lost += last.sent_weight[p] - last.applied_weight[p];
            }
            st.lost_weight += lost;
            self->send_exit(dead.compute, caf::exit_reason::kill);
            self->send_exit(dead.sender, caf::exit_reason::kill);
            broadcast_view(self);
            if (--st.pending_kills == 0 && core::ending(st.phase)) finish(self);
          },
          [=](const caf::error&) {
            auto& st = self->state;
            st.weight_exact = false;
            broadcast_view(self);
            if (--st.pending_kills == 0 && core::ending(st.phase)) finish(self);
          });
  // Nodes that were only waiting for this one may be done now.
  bool all_done = true;
  for (std::size_t k = 0; k < s.n; ++k) {
    if (s.view.live[k] && !s.done[k]) all_done = false;
  }
  if (all_done) {
    // The others may have paused for a checkpoint rather than finished.
    if (s.setup.hold_at > 0 && s.setup.hold_at < s.setup.total_iterations) {
      checkpoint_pause(self);
    } else {
      self->send(self, stop_atom::value);
    }
  }
  return applied(text("node ", id, " killed"));
}

command_outcome revive_node(supervisor_ptr self, int id) {
  auto& s = self->state;
  const auto i = static_cast<std::size_t>(id);
  if (s.view.live[i]) return refused(text("node ", id, " is already running"));
  int donor = -1;
  for (std::size_t k = 0; k < s.n && donor < 0; ++k) {
    if (s.view.live[k] && !s.done[k]) donor = static_cast<int>(k);
  }
  if (donor < 0) return refused(text("node ", id, ": no live node to take state from"));
  s.view.live[i] = true;
  ++s.view.incarnation[i];
  ++s.view.epoch;
  s.done[i] = false;
  s.last[i].reset();
  s.reporter.forget(i);
  auto zeros = std::make_shared<const std::vector<float>>(s.initial_x->size(), 0.0f);
  if (auto st = spawn_node(self, id, std::move(zeros), 0.0); !st.ok()) {
    s.view.live[i] = false;
    return refused(text("node ", id, ": revive failed: ", st.err().message));
  }
  broadcast_view(self);
  start_node(self, id);
  // After the view (same sender, same order): the donor knows the new
  // incarnation before it gives half of its (x, w).
  self->send(s.host.node(static_cast<std::size_t>(donor)).worker, give_atom::value, id, 0.5);
  return applied(text("node ", id, " revived with half of node ", donor, "'s state"));
}

std::string set_link(supervisor_ptr self, const core::command& c) {
  change_links(self, c);
  return link_set_text(c, self->state.links);
}

}  // namespace

std::string status_text(supervisor_ptr self) {
  auto& s = self->state;
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof(line), "%-4s %-6s %8s %8s %9s %9s %6s %6s %6s  %s\n", "node", "state",
                "iter", "loss", "w", "wait(s)", "late", "lost", "dup", "out-peers");
  out << line;
  for (std::size_t i = 0; i < s.n; ++i) {
    const char* state = !s.view.live[i] ? "dead" : s.done[i] ? "done" : "train";
    if (!s.last[i]) {
      std::snprintf(line, sizeof(line), "%-4zu %-6s %8s\n", i, state, "-");
      out << line;
      continue;
    }
    const auto& r = *s.last[i];
    std::string peers;
    for (const auto p : r.out_peers) {
      if (!peers.empty()) peers += ',';
      peers += std::to_string(p);
    }
    std::snprintf(line, sizeof(line), "%-4zu %-6s %8llu %8.4f %9.5f %9.3f %6llu %6llu %6llu  %s\n",
                  i, state, static_cast<unsigned long long>(r.iteration), r.loss, r.w, r.comm_wait,
                  static_cast<unsigned long long>(r.messages_late),
                  static_cast<unsigned long long>(r.messages_lost),
                  static_cast<unsigned long long>(r.messages_duplicate),
                  peers.empty() ? "-" : peers.c_str());
    out << line;
  }
  return out.str();
}

std::string topology_text(supervisor_ptr self) {
  auto& s = self->state;
  return core::topology_report(s.gossip.schedule, s.view.live, s.view.links, global_iteration(s),
                               s.view.epoch);
}

command_outcome execute(supervisor_ptr self, const core::command& c) {
  auto& s = self->state;
  if (!core::started(s.phase) || s.host.empty()) return refused("the group has not started");
  switch (c.kind) {
    case core::command_kind::status:
      return applied(status_text(self));
    case core::command_kind::topology:
      return applied(topology_text(self));
    case core::command_kind::help:
      return applied(core::command_help());
    case core::command_kind::link_down:
    case core::command_kind::link_up:
      change_links(self, c);
      return applied(link_state_text(c));
    case core::command_kind::link_set:
      return applied(set_link(self, c));
    case core::command_kind::slow: {
      const auto i = static_cast<std::size_t>(c.node);
      if (!s.view.live[i]) return refused(text("node ", c.node, " is not running"));
      self->send(s.host.node(i).compute, slow_atom::value, c.factor);
      return applied(slow_text(c));
    }
    case core::command_kind::kill:
      return kill_node(self, c.node);
    case core::command_kind::revive:
      return revive_node(self, c.node);
    case core::command_kind::partition:
    case core::command_kind::heal:
      change_links(self, c);
      return applied(link_state_text(c));
    case core::command_kind::checkpoint:
      // Asked while one is being written, or with the run ending (which
      // writes its last one), a checkpoint still comes: applied either way.
      return applied(write_checkpoints(self));
    case core::command_kind::stop:
      self->state.on(core::phase_event::end_asked);
      self->send(self, stop_atom::value);
      return applied("stopping: every live node is evaluated as it is now");
  }
  return refused("unknown command");
}

command_outcome run_command(supervisor_ptr self, const core::command& c, const std::string& source,
                            const std::string& text) {
  auto& s = self->state;
  // Typed commands bypass the parser: the same checks, against this group.
  if (auto st = core::check_command(c, static_cast<int>(s.cfg.cluster.nodes)); !st.ok()) {
    return refused(st.err().message);
  }
  // Questions leave no trace; actions do.
  const auto k = c.kind;
  const bool question = k == core::command_kind::status || k == core::command_kind::topology ||
                        k == core::command_kind::help;
  if (core::ending(s.phase) && !question) {
    return refused("the run has ended (final evaluation under way): '" + text + "' not done");
  }
  // Before the start there is no run to log to (metrics.jsonl is not open).
  if (!core::started(s.phase) || s.host.empty()) {
    return refused("the group has not started");
  }
  const auto it = global_iteration(s);
  auto outcome = execute(self, c);
  if (!question) log_action(self, "command", source, it, c, text, outcome);
  return outcome;
}

}  // namespace sgp::actors
