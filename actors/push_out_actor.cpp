// Implementation of the bridge's sending half (see push_out_actor.hpp).
#include "actors/push_out_actor.hpp"

#include "actors/actor_failure.hpp"

namespace sgp::actors {
namespace {

using self_ptr = caf::stateful_actor<push_out_state>*;

/// Forgets every edge to and from `process`'s nodes.
void forget_nodes_of(push_out_state& s, std::uint32_t process) {
  if (s.edges) s.edges->forget_process(s.setup.node_process, process);
}

}  // namespace

caf::behavior push_out_actor(caf::stateful_actor<push_out_state>* self, push_out_setup setup,
                             net::frame_transport* transport) {
  exit_on_exception(self, "cluster bridge (sending pushes)");
  auto& s = self->state;
  s.dead.assign(setup.processes, false);
  s.setup = std::move(setup);
  s.transport = transport;
  return {
      [=](push_atom, const core::gossip_envelope& e) {
        auto& st = self->state;
        if (!e.message) return;
        const auto to = e.message->to;
        if (to >= st.setup.node_process.size()) return;
        const auto process = st.setup.node_process[to];
        if (process == st.setup.process || process >= st.dead.size()) return;
        if (st.dead[process]) {
          ++st.dropped_to_dead;
          return;
        }
        if (!st.edges && e.message->mass)
          st.edges = std::make_unique<net::remote_edges>(e.message->mass->size(),
                                                         st.setup.precision, st.setup.pinning);
        if (!st.edges) return;
        // A push frame has a supersede key: a full queue drops the older one.
        if (auto frame = st.edges->outgoing(e)) (void)st.transport->deliver(process, *frame);
      },
      [=](frame_atom, const net::wire::ack& a) {
        if (self->state.edges) self->state.edges->acknowledged(a);
      },
      [=](forgot_atom, std::uint32_t node) {
        auto& st = self->state;
        if (st.edges && node < st.setup.node_process.size()) st.edges->forget(node);
      },
      [=](down_atom, std::uint32_t process) {
        auto& st = self->state;
        if (process >= st.dead.size() || process == st.setup.process) return;
        st.dead[process] = true;
        forget_nodes_of(st, process);
      },
      [=](readmit_atom, std::uint32_t process, std::uint64_t) {
        auto& st = self->state;
        if (process >= st.dead.size() || process == st.setup.process) return;
        st.dead[process] = false;
        forget_nodes_of(st, process);  // a new incarnation's edges start from zero
      },
      [=](status_atom) {
        const auto& st = self->state;
        return data_plane_counters{st.edges ? st.edges->counters() : net::remote_edge_counters{},
                                   st.dropped_to_dead};
      },
  };
}

}  // namespace sgp::actors
