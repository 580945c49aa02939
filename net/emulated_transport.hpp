// The link emulator as a decorator over any node transport: each message
// from this node is planned on its link (net/link_emulator.hpp: bandwidth,
// queueing, latency, jitter, loss, up/down, partitions), charged the bytes
// its push frame has on the wire (net/wire/push_codec.hpp), and handed to
// the inner transport when it is due, on a transport_clock's timer. The
// network may duplicate a message (a second copy after twice its delay).
//
// Order: a message due within `immediate_seconds` goes at once, but only
// while no earlier message to the same peer is still on the timer; else it
// is timed behind the latest of them, so it never overtakes one. Messages
// with a delay of their own keep it: jitter (or a link made faster) may
// reorder them, as a network may, and a duplicate is not waited for.
//
// Superseding: a push to a peer whose previous push is still queued for the
// link (planned to start later than now) takes that push's place and time,
// and the older one is never handed over, as in the TCP transport's queue
// (net/tcp/tcp_transport.hpp). Pushes carry running sums, so the older
// one's mass goes with the newer. Transfers (mass or state handed to a
// revived node) neither supersede nor are superseded.
//
// The clock must not run a callback after this transport is destroyed (the
// actor layer's clock dies with the actor's state, a test's clock outlives
// nothing it runs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/rng.hpp"
#include "net/link_emulator.hpp"
#include "net/node_transport.hpp"
#include "net/transport_clock.hpp"
#include "net/wire/push_codec.hpp"

namespace sgp::net {

struct emulation_options {
  std::size_t from = 0;    ///< the sending node: its links are the emulator's (from, to)
  double duplicate = 0.0;  ///< probability that the network delivers a message twice
  std::uint64_t seed = 0;  ///< the duplicates' random stream
  wire::dtype wire_type = wire::dtype::f32;  ///< the values of a push as the wire carries them
};

class emulated_transport final : public node_transport {
 public:
  /// Messages due sooner than this go at once: a trip through the timer
  /// would only add latency the link does not have.
  static constexpr double immediate_seconds = 10e-6;

  emulated_transport(std::unique_ptr<node_transport> inner, transport_clock& clock,
                     link_emulator links, emulation_options options);

  transport_outcome deliver(core::gossip_envelope envelope) override;
  void set_receiver(std::size_t node, receive_callback callback) override;
  [[nodiscard]] bool reaches(std::size_t node) const override;
  [[nodiscard]] transport_stats stats(std::size_t peer) const override;
  [[nodiscard]] transport_stats totals() const override;

  /// The wire bytes of `envelope`'s push: its frame at `wire_type`.
  [[nodiscard]] std::size_t charge(const core::gossip_envelope& envelope) const;

  /// The links, for changes at run time (`link set`, `link down`, partitions).
  [[nodiscard]] link_emulator& links() { return links_; }
  [[nodiscard]] const link_emulator& links() const { return links_; }

 private:
  /// Hands a due message to the inner transport.
  void hand_over(core::gossip_envelope envelope);
  transport_stats& stats_of(std::size_t peer);

  std::unique_ptr<node_transport> inner_;
  transport_clock& clock_;
  link_emulator links_;
  emulation_options options_;
  core::rng random_;
  std::vector<transport_stats> stats_;  ///< by peer
  transport_stats unaddressed_;         ///< messages to no node of the group
  std::vector<std::size_t> on_timer_;   ///< by peer: messages still on the timer
  std::vector<double> latest_due_;      ///< by peer: the latest time a message was timed for
  /// A push on the timer that a newer one may still replace (never a transfer).
  struct queued_push {
    double start = 0.0;                               ///< when it starts on the link
    std::shared_ptr<core::gossip_envelope> envelope;  ///< null once handed over
  };
  std::vector<queued_push> queued_;  ///< by peer: the latest push planned
};

}  // namespace sgp::net
