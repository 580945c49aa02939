// Implementation of the sender actor (see sender_actor.hpp).
#include "actors/sender_actor.hpp"

#include <chrono>
#include <cstdio>
#include <string>
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

std::vector<link_update> link_updates_of(const core::command& c, const net::link_emulator& links) {
  std::vector<link_update> out;
  auto one = [&](link_update::what kind, int from, int to) {
    link_update u;
    u.kind = kind;
    u.from = from;
    u.to = to;
    if (kind == link_update::what::link) {
      u.properties = links.properties(from, to);
      if (c.bandwidth_bits_per_second)
        u.properties.bandwidth_bits_per_second = *c.bandwidth_bits_per_second;
      if (c.latency_seconds) u.properties.latency_seconds = *c.latency_seconds;
      if (c.jitter_seconds) u.properties.jitter_seconds = *c.jitter_seconds;
      if (c.loss) u.properties.loss = *c.loss;
    }
    out.push_back(std::move(u));
  };
  auto both = [&](link_update::what kind) {
    one(kind, c.from, c.to);
    if (c.symmetric) one(kind, c.to, c.from);
  };
  switch (c.kind) {
    case core::command_kind::link_down:
      both(link_update::what::down);
      break;
    case core::command_kind::link_up:
      both(link_update::what::up);
      break;
    case core::command_kind::link_set:
      both(link_update::what::link);
      break;
    case core::command_kind::partition:
      one(link_update::what::partition, -1, -1);
      out.back().groups = c.groups;
      break;
    case core::command_kind::heal:
      one(link_update::what::heal, -1, -1);
      break;
    default:
      break;
  }
  return out;
}

void mask_from_links(core::link_mask& mask, const net::link_emulator& links) {
  for (std::size_t a = 0; a < mask.size(); ++a) {
    for (std::size_t b = 0; b < mask.size(); ++b) {
      if (a != b) mask.set(a, b, links.up(static_cast<int>(a), static_cast<int>(b)));
    }
  }
}

std::string link_state_text(const core::command& c) {
  switch (c.kind) {
    case core::command_kind::partition:
      return "partitioned into " + std::to_string(c.groups.size()) + " groups";
    case core::command_kind::heal:
      return "partition healed";
    default:
      return "link " + std::to_string(c.from) + (c.symmetric ? " <-> " : " -> ") +
             std::to_string(c.to) + (c.kind == core::command_kind::link_up ? " up" : " down");
  }
}

std::string link_set_text(const core::command& c, const net::link_emulator& links) {
  const auto& p = links.properties(c.from, c.to);
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "link %d %s %d: %.3g Gbit/s, latency %.3g ms, jitter %.3g ms, loss %.3g", c.from,
                c.symmetric ? "<->" : "->", c.to, p.bandwidth_bits_per_second / 1e9,
                p.latency_seconds * 1e3, p.jitter_seconds * 1e3, p.loss);
  return buf;
}

sender_handle::behavior_type sender_actor(sender_handle::stateful_pointer<sender_state> self,
                                          int node, net::link_emulator links, double duplicate,
                                          caf::actor worker, std::uint64_t seed,
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
        caf::anon_send(st.worker, report_atom::value, t.bytes_sent,
                       t.messages_lost + t.messages_dropped);
      },
      [=](tick_atom, std::uint64_t id) { self->state.timer->fire(id); },
      [=](links_atom, const link_update& update) {
        apply_link_update(self->state.transport->links(), update);
      },
      [=](view_atom, const std::vector<caf::actor>& peers) {
        auto& transport = *self->state.transport;
        for (std::size_t j = 0; j < peers.size(); ++j) {
          if (!peers[j]) {
            transport.set_receiver(j, {});
            continue;
          }
          // Posts the envelope (its shared buffers, not a copy of them).
          transport.set_receiver(j, [self, peer = peers[j]](const core::gossip_envelope& e) {
            caf::anon_send(peer, push_atom::value, e);
          });
        }
      },
  };
}

}  // namespace sgp::actors
