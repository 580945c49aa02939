// The sender actor: takes a node's outgoing push envelopes and delivers them
// to the peers' workers through the link emulator (a timer per message, so
// a push of a big model really takes longer). It owns the emulator state of
// the node's outgoing links; the supervisor sends it link changes.
#pragma once

#include <caf/all.hpp>

#include <vector>

#include "actors/messages.hpp"
#include "core/rng.hpp"
#include "net/link_emulator.hpp"

namespace sgp::actors {

struct sender_state {
  int node = 0;
  net::link_emulator links{1, {}, 0};
  std::vector<caf::actor> peers;  ///< workers by node id (current incarnations)
  caf::actor worker;              ///< this node's worker (gets the counters)
  double duplicate = 0.0;         ///< probability that the network delivers twice
  core::rng random{0};
  std::uint64_t bytes_sent = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_lost = 0;
  /// Per peer, when the last message handed to the timer is due (seconds):
  /// a message is sent at once only after it, so that a link stays FIFO.
  std::vector<double> timer_due;
  static inline const char* name = "sgp.sender";
};

/// `links` is the emulator as configured (defaults and per-link settings);
/// `bytes_per_element` is what one pushed parameter costs on the wire.
caf::behavior sender_actor(caf::stateful_actor<sender_state>* self, int node,
                           net::link_emulator links, double duplicate, caf::actor worker,
                           std::uint64_t seed);

/// Applies a supervisor's link change to an emulator.
void apply_link_update(net::link_emulator& links, const link_update& update);

/// Seconds on an actor's clock (virtual under the test coordinator).
double clock_seconds(caf::local_actor* self);

}  // namespace sgp::actors
