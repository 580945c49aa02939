// Implementation of the sender actor (see sender_actor.hpp).
#include "actors/sender_actor.hpp"

#include <algorithm>
#include <chrono>

#include "actors/actor_failure.hpp"

namespace sgp::actors {
namespace {

/// Messages due sooner than this are delivered at once.
constexpr caf::timespan immediate_delivery = std::chrono::microseconds(10);

}  // namespace

double clock_seconds(caf::local_actor* self) {
  return std::chrono::duration<double>(self->clock().now().time_since_epoch()).count();
}

void apply_link_update(net::link_emulator& links, const link_update& u) {
  switch (u.kind) {
    case link_update::what::defaults:
      links.set_defaults(u.properties);
      break;
    case link_update::what::link:
      links.set_link(u.from, u.to, u.properties);
      break;
    case link_update::what::up:
      links.set_up(u.from, u.to, true);
      break;
    case link_update::what::down:
      links.set_up(u.from, u.to, false);
      break;
    case link_update::what::partition:
      links.partition(u.groups);
      break;
    case link_update::what::heal:
      links.heal();
      break;
  }
}

caf::behavior sender_actor(caf::stateful_actor<sender_state>* self, int node,
                           net::link_emulator links, double duplicate, caf::actor worker,
                           std::uint64_t seed) {
  exit_on_exception(self, "node " + std::to_string(node) + " sender");
  auto& s = self->state;
  s.node = node;
  s.links = std::move(links);
  s.duplicate = duplicate;
  s.worker = std::move(worker);
  s.random = core::rng(seed);
  return {
      [=](send_atom, const std::vector<core::gossip_envelope>& envelopes,
          std::uint64_t bytes_each) {
        auto& st = self->state;
        const double now = clock_seconds(self);
        for (const auto& e : envelopes) {
          const auto to = static_cast<int>(e.message->to);
          if (to < 0 || static_cast<std::size_t>(to) >= st.peers.size() || !st.peers[to]) {
            ++st.messages_lost;
            continue;
          }
          const auto d = st.links.plan(st.node, to, bytes_each, now);
          st.bytes_sent += bytes_each;
          ++st.messages_sent;
          if (d.dropped) {
            ++st.messages_lost;
            continue;
          }
          const auto delay = std::chrono::duration_cast<caf::timespan>(
              std::chrono::duration<double>(d.deliver_at - now));
          auto& due = st.timer_due[static_cast<std::size_t>(to)];
          if (delay < immediate_delivery && now >= due) {
            // Shorter than the timer's own wake-up: a trip through the
            // clock's thread would only add latency the link does not have.
            // (Not while an earlier message to this peer is on the timer:
            // this one would overtake it.)
            self->send(st.peers[to], push_atom::value, e);
          } else {
            self->delayed_send(st.peers[to], delay, push_atom::value, e);
            due = std::max(due, d.deliver_at);
          }
          if (st.duplicate > 0.0 && st.random.uniform() < st.duplicate) {
            self->delayed_send(st.peers[to], delay * 2, push_atom::value, e);
          }
        }
        self->send(st.worker, report_atom::value, st.bytes_sent, st.messages_lost);
      },
      [=](links_atom, const link_update& update) { apply_link_update(self->state.links, update); },
      [=](view_atom, const std::vector<caf::actor>& peers) {
        self->state.peers = peers;
        self->state.timer_due.resize(peers.size(), 0.0);
      },
  };
}

}  // namespace sgp::actors
