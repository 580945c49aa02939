// Implementation of the worker actor (see worker_actor.hpp).
#include "actors/worker_actor.hpp"

#include <algorithm>
#include <utility>

#include "actors/actor_failure.hpp"
#include "actors/sender_actor.hpp"

namespace sgp::actors {
namespace {

using self_ptr = worker_handle::stateful_pointer<worker_state>;

node_snapshot snapshot(self_ptr self, bool with_z) {
  auto& s = self->state;
  const auto& node = *s.node;
  node_snapshot out;
  out.node = static_cast<int>(node.id());
  out.live = node.view().live[node.id()];
  out.iteration = node.iteration();
  out.round = node.rounds();
  out.w = node.w();
  out.loss = s.last_loss;
  const std::size_t n = node.view().live.size();
  out.sent_weight.resize(n);
  out.applied_weight.resize(n);
  for (std::size_t p = 0; p < n; ++p) {
    if (p == node.id()) continue;
    out.sent_weight[p] = node.sums().sent_weight(p);
    out.applied_weight[p] = node.sums().applied_weight(p);
  }
  if (with_z && node.w() > 0.0) {
    out.z = std::make_shared<const std::vector<float>>(node.debiased_host());
  }
  return out;
}

/// Hands pushes to the sender.
void send_pushes(self_ptr self, std::vector<core::gossip_envelope> envelopes) {
  auto& s = self->state;
  if (envelopes.empty() || !s.sender) return;
  self->send(s.sender, send_atom::value, std::move(envelopes));
}

/// Starts the next step if the node may; otherwise arms the wait timeout.
void try_start(self_ptr self) {
  auto& s = self->state;
  auto& node = *s.node;
  // A pause for a checkpoint ends the node's steps for now, as the end does.
  const std::uint64_t limit = s.setup.hold_at > 0
                                  ? std::min(s.setup.hold_at, s.setup.total_iterations)
                                  : s.setup.total_iterations;
  // Reference OSGP: a push that waited for its round goes out now.
  send_pushes(self, node.poll(node.iteration() >= limit));
  if (s.computing || !s.compute) return;
  // A node still waiting for its first push (rejoined, revived in a
  // cluster) joins at join_at_least or later: at or past the limit it has
  // nothing to do until the limit moves, and says so (a pause or the end
  // need not wait for a push that the paused nodes no longer send).
  const std::uint64_t at =
      s.joining && s.join_on_push ? std::max(node.iteration(), s.join_at_least) : node.iteration();
  if (at >= limit) {
    if (!s.done_reported) {
      s.done_reported = true;
      self->send(s.supervisor, done_atom::value, static_cast<int>(node.id()), at);
    }
    return;
  }
  if (s.joining || node.w() <= 0.0) return;  // nothing to compute with yet
  if (!node.ready()) {
    if (!s.waiting) {
      s.waiting = true;
      s.wait_started = clock_seconds(self);
      self->delayed_send(self, s.setup.wait_timeout, wait_atom::value, ++s.wait_token);
    }
    return;
  }
  if (s.waiting) {
    s.waiting = false;
    s.waits_expired = 0;
    s.comm_wait += clock_seconds(self) - s.wait_started;
  }
  auto& z = s.engine->z_buffer();
  node.debiased({z.data(), z.size()});
  s.computing = true;
  self->send(s.compute, step_atom::value, node.iteration());
}

/// A revived node takes its donor's momentum and batch-norm statistics.
void adopt_state(runtime::compute_engine& engine, const core::optimizer_state& state) {
  if (state.momentum.size() == engine.parameters()) engine.set_momentum(state.momentum);
  engine.set_running_stats(state.running_stats);
}

/// Hands `fraction` of this node's (x, w) and `state` to node `to` (a
/// revived node).
void give(self_ptr self, int to, double fraction,
          std::shared_ptr<const core::optimizer_state> state) {
  auto& st = self->state;
  auto e = st.node->give(static_cast<std::size_t>(to), fraction);
  e.state = std::move(state);
  self->send(st.sender, send_atom::value, std::vector<core::gossip_envelope>{std::move(e)});
}

/// Applies a received push (a joining node joins with it).
void take_push(self_ptr self, const core::gossip_envelope& e) {
  auto& st = self->state;
  const bool from_push = st.joining && st.join_on_push;
  const auto outcome = from_push ? st.node->join_from(e, st.join_at_least) : st.node->receive(e);
  if (st.joining && outcome == core::apply_outcome::applied && st.node->w() > 0.0) {
    // The donor's share: continue at the donor's iteration, with its
    // optimizer state (nothing computes here yet). A rejoining node
    // took its in-neighbour's round in join_from.
    if (e.state) adopt_state(*st.engine, *e.state);
    st.joining = false;
    st.join_on_push = false;
    if (!from_push) st.node->set_iteration(e.iteration + 1, e.round + 1);
  }
}

}  // namespace

void set_waits(worker_setup& setup, const config::config& cfg, const config::settings& settings) {
  setup.wait_timeout = std::chrono::duration_cast<caf::timespan>(
      std::chrono::duration<double>(settings.algorithm.wait_timeout_seconds));
  setup.resend_waits = cfg.algorithm.resend_on_timeout ? cfg.algorithm.resend_attempts : 0;
}

worker_handle::behavior_type worker_actor(worker_handle::stateful_pointer<worker_state> self,
                                          int node, std::shared_ptr<runtime::compute_engine> engine,
                                          std::shared_ptr<const std::vector<float>> x, double w,
                                          core::gossip_options options, core::membership_view view,
                                          worker_setup setup, node_owner_handle supervisor) {
  exit_on_exception(self, "node " + std::to_string(node) + " worker");
  auto& s = self->state;
  s.engine = std::move(engine);
  s.node.emplace(static_cast<std::size_t>(node), s.engine->make_space(*x), w, options,
                 std::move(view));
  s.setup = setup;
  s.supervisor = std::move(supervisor);
  s.joining = w <= 0.0;
  s.options = options;
  if (setup.start_iteration > 0) s.node->resume_at(setup.start_iteration, setup.start_round);
  return {
      [=](start_atom, const compute_handle& compute, const sender_handle& sender) {
        auto& st = self->state;
        st.compute = compute;
        st.sender = sender;
        auto early = std::move(st.before_start);
        st.before_start.clear();
        for (const auto& e : early) take_push(self, e);
        try_start(self);
      },
      [=](step_done_atom, double loss, double lr, double compute_seconds, double allreduce_wait) {
        auto& st = self->state;
        st.comm_wait += allreduce_wait;
        st.computing = false;
        st.last_loss = loss;
        const auto& delta = st.engine->delta_buffer();
        auto envelopes = st.node->step({delta.data(), delta.size()});
        iteration_report r;
        r.out_peers.reserve(envelopes.size());
        for (const auto& e : envelopes) r.out_peers.push_back(e.message->to);
        send_pushes(self, std::move(envelopes));
        r.node = static_cast<int>(st.node->id());
        r.iteration = st.node->iteration();
        r.time = clock_seconds(self);
        r.loss = loss;
        r.lr = lr;
        r.w = st.node->w();
        r.comm_wait = st.comm_wait;
        r.compute_seconds = compute_seconds;
        r.bytes_sent = st.bytes_sent;
        r.messages_late = st.messages_late;
        r.messages_lost = st.messages_lost;
        r.messages_duplicate = st.node->counters().duplicate;
        st.comm_wait = 0.0;
        self->send(st.supervisor, report_atom::value, std::move(r));
        try_start(self);
      },
      [=](push_atom, const core::gossip_envelope& e) {
        auto& st = self->state;
        if (!st.compute) {
          st.before_start.push_back(e);
          return;
        }
        take_push(self, e);
        try_start(self);
      },
      [=](report_atom, std::uint64_t bytes_sent, std::uint64_t messages_lost) {
        self->state.bytes_sent = bytes_sent;
        self->state.messages_lost = messages_lost;
      },
      [=](wait_atom, std::uint64_t token) {
        auto& st = self->state;
        if (!st.waiting || token != st.wait_token || st.computing) return;
        auto suspects = st.node->waiting_on();
        self->send(st.supervisor, suspect_atom::value, static_cast<int>(st.node->id()),
                   std::move(suspects));
        if (st.waits_expired < st.setup.resend_waits) {
          // The owner asks the suspects to resend: wait for that once more.
          ++st.waits_expired;
          self->delayed_send(self, st.setup.wait_timeout, wait_atom::value, ++st.wait_token);
          return;
        }
        st.waits_expired = 0;
        st.node->skip_wait();
        ++st.messages_late;
        try_start(self);
      },
      [=](view_atom, const core::membership_view& v) {
        auto& st = self->state;
        auto forgotten = st.node->set_view(v);
        if (!forgotten.empty()) {
          self->send(st.supervisor, forgot_atom::value, static_cast<int>(st.node->id()),
                     std::move(forgotten));
        }
        try_start(self);
      },
      [=](give_atom, int to, double fraction) {
        // The compute actor answers between two of its steps, and after
        // any step-done it sent before: when the answer arrives here, x is
        // after the same step as the momentum and statistics it carries.
        auto& st = self->state;
        self->request(st.compute, caf::infinite, state_atom::value)
            .then(
                [=](const std::shared_ptr<const core::optimizer_state>& state) {
                  give(self, to, fraction, state);
                },
                [=](const caf::error&) { give(self, to, fraction, nullptr); });
      },
      [=](hold_atom, std::uint64_t at) {
        // A checkpoint's pause (at), or the end of one (the next pause).
        auto& st = self->state;
        st.setup.hold_at = at;
        st.done_reported = false;
        try_start(self);
      },
      [=](flush_atom) {
        // Before the final evaluation: held shares mixed in, the running
        // sums resent so that a lost last push is recovered.
        send_pushes(self, self->state.node->flush());
      },
      [=](resend_atom, int to) {
        // Node `to` stopped waiting for this node's push (lost or late):
        // the edge's running sums again, so that lost mass arrives now.
        if (to >= 0) send_pushes(self, self->state.node->resend(static_cast<std::size_t>(to)));
      },
      [=](rejoin_atom, const core::membership_view& v, std::uint64_t at_least) {
        // Its process was restarted and readmitted: its old life's mass
        // was accounted by the survivors when it died, and the fresh start
        // (x0, w = 1) was never shared, so it starts over empty; mass comes
        // with its in-neighbours' pushes.
        auto& st = self->state;
        const auto id = st.node->id();
        const std::vector<float> zero(st.node->size(), 0.0f);
        st.node.emplace(id, st.engine->make_space(zero), 0.0, st.options, v);
        st.joining = true;
        st.join_on_push = true;
        st.join_at_least = at_least;
      },
      [=](rejoin_atom, std::uint64_t at_least) {
        auto& st = self->state;
        if (!st.joining || !st.join_on_push || at_least <= st.join_at_least) return;
        st.join_at_least = at_least;
        try_start(self);  // at or past a pause now: it says so
      },
      [=](restore_atom, const shared_floats& x, double w, std::uint64_t iteration,
          std::uint64_t round) {
        auto& st = self->state;
        const auto id = st.node->id();
        auto view = st.node->view();
        st.node.emplace(id, st.engine->make_space(*x), w, st.options, std::move(view));
        st.joining = w <= 0.0;
        st.join_on_push = false;
        if (iteration > 0) st.node->resume_at(iteration, round);
      },
      [=](status_atom) { return snapshot(self, false); },
      [=](final_atom, bool with_z) { return snapshot(self, with_z); },
      [=](stop_atom) {
        // Killed: the last state goes to the supervisor, then the node is gone.
        auto out = snapshot(self, false);
        self->quit(caf::exit_reason::user_shutdown);
        return out;
      },
  };
}

}  // namespace sgp::actors
