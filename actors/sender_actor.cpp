// Implementation of the sender actor (see sender_actor.hpp).
#include "actors/sender_actor.hpp"

#include <chrono>
#include <utility>

#include "actors/actor_failure.hpp"
#include "net/in_process_transport.hpp"

namespace sgp::actors {

double clock_seconds(caf::local_actor* self) {
  return std::chrono::duration<double>(self->clock().now().time_since_epoch()).count();
}

net::wire::dtype push_wire_type(const config::settings& set) {
  return set.algorithm.compression == config::compression::bf16 ? net::wire::dtype::bf16
                                                                : net::wire::dtype::f32;
}

sender_handle::behavior_type sender_actor(sender_handle::stateful_pointer<sender_state> self,
                                          int node, net::link_emulator links, double duplicate,
                                          worker_handle worker, std::uint64_t seed,
                                          net::wire::dtype wire_type) {
  exit_on_exception(self, "node " + std::to_string(node) + " sender");
  auto& s = self->state;
  s.worker = std::move(worker);
  s.timer = std::make_unique<transport_timer>(self, [self](caf::timespan delay, std::uint64_t id) {
    self->delayed_send(self, delay, tick_atom::value, id);
  });
  s.transport = std::make_unique<net::emulated_transport>(
      std::make_unique<net::in_process_transport>(), *s.timer, std::move(links),
      net::emulation_options{static_cast<std::size_t>(node), duplicate, seed, wire_type});
  return {
      [=](send_atom, const std::vector<core::gossip_envelope>& envelopes) {
        auto& st = self->state;
        for (const auto& e : envelopes) st.transport->deliver(e);
        const auto t = st.transport->totals();
        self->send(st.worker, report_atom::value, t.bytes_sent,
                   t.messages_lost + t.messages_dropped);
      },
      [=](tick_atom, std::uint64_t id) { self->state.timer->fire(id); },
      [=](links_atom, const link_update& update) {
        apply_link_update(self->state.transport->links(), update);
      },
      [=](view_atom, const std::vector<push_handle>& peers) {
        auto& transport = *self->state.transport;
        for (std::size_t j = 0; j < peers.size(); ++j) {
          if (!peers[j]) {
            transport.set_receiver(j, {});
            continue;
          }
          // Posts the envelope (its shared buffers, not a copy of them),
          // anonymously as the protocol has it (tests/actors/protocol_test.cpp
          // pins the push's sender; CAF's member anon_send would name this
          // actor). caf::anon_send checks the message against push_handle.
          transport.set_receiver(j, [peer = peers[j]](const core::gossip_envelope& e) {
            caf::anon_send(peer, push_atom::value, e);
          });
        }
      },
  };
}

}  // namespace sgp::actors
