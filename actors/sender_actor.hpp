// The sender actor: takes a node's outgoing push envelopes and forwards them
// to its transport stack, the link emulator (net/emulated_transport.hpp)
// over the in-process hand-over (net/in_process_transport.hpp) whose
// receive callbacks post each envelope to the peer's worker (or to the
// bridge standing in for a remote node). It owns the emulator state of the
// node's outgoing links (the supervisor sends it link changes) and runs the
// emulator's timers (transport_timer).
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <vector>

#include "actors/handles.hpp"
#include "actors/link_commands.hpp"
#include "actors/messages.hpp"
#include "actors/transport_timer.hpp"
#include "config/settings.hpp"
#include "net/emulated_transport.hpp"
#include "net/link_emulator.hpp"
#include "net/wire/push_codec.hpp"

namespace sgp::actors {

struct sender_state {
  // The timer outlives the transport whose callbacks it holds.
  std::unique_ptr<transport_timer> timer;
  std::unique_ptr<net::emulated_transport> transport;
  /// This node's worker (gets the counters). Not the first member: CAF
  /// would take the state for one constructed from the actor's pointer.
  worker_handle worker;
  static inline const char* name = "sgp.sender";
};

/// `links` is the emulator as configured (defaults and per-link settings);
/// `wire_type` is how a push's values travel on the wire, which sets the
/// bytes each push is charged (net::wire::push_frame_size).
sender_handle::behavior_type sender_actor(sender_handle::stateful_pointer<sender_state> self,
                                          int node, net::link_emulator links, double duplicate,
                                          worker_handle worker, std::uint64_t seed,
                                          net::wire::dtype wire_type);

/// The wire's type of a push's values under `set` (bf16 with bf16
/// compression, else f32: what net/remote_edges sends between processes).
[[nodiscard]] net::wire::dtype push_wire_type(const config::settings& set);

/// Seconds on an actor's clock (virtual under the test coordinator).
double clock_seconds(caf::local_actor* self);

}  // namespace sgp::actors
