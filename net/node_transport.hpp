// The node-level transport interface (docs/design.md §2): deliver a push
// envelope to node j, a receive callback per node, per-peer statistics. It
// sits one level above net/frame_transport.hpp: its unit is a node's
// core::gossip_envelope, not a process's frame.
//
// Implementations: in_process_transport (the zero-copy hand-over between
// nodes of one process) and emulated_transport, the link emulator as a
// decorator over any node_transport. A transport over frames (a remote
// node's envelope becoming a push frame, net/remote_edges.hpp) fits the same
// interface; today the bridge actor plays that part behind the in-process
// hand-over, so the emulator already covers pushes that leave the process.
//
// Threading: one owner calls deliver() and set_receiver(). A receive
// callback runs in deliver() (or in a clock's timer callback) and must not
// touch an actor's state: it posts a message to the actor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/gossip_node.hpp"

namespace sgp::net {

/// What happened to the messages to one peer (or to all, summed).
struct transport_stats {
  std::uint64_t messages_sent = 0;  ///< envelopes handed to deliver()
  /// Wire bytes charged: every message planned on a link, dropped or not.
  std::uint64_t bytes_sent = 0;
  std::uint64_t messages_delivered = 0;   ///< handed to the receiver (duplicates included)
  std::uint64_t messages_lost = 0;        ///< random loss on the link
  std::uint64_t messages_dropped = 0;     ///< link down, or no receiver for the node
  std::uint64_t messages_duplicated = 0;  ///< extra copies the network made
  /// Replaced by a newer push to the same peer while queued for its link
  /// (as the TCP transport's queue does): its mass went with the newer one.
  std::uint64_t messages_superseded = 0;

  transport_stats& operator+=(const transport_stats& o);
  friend bool operator==(const transport_stats&, const transport_stats&) = default;
};

/// What deliver() did with an envelope.
enum class transport_outcome {
  delivered,     ///< handed to the receiver now
  scheduled,     ///< will be handed over later (a link's delay)
  lost,          ///< dropped by random loss
  link_down,     ///< dropped: the link is down or partitioned
  unknown_peer,  ///< no receiver for that node
};

class node_transport {
 public:
  /// Gets every envelope for one node; posts it on (never touches actor state).
  using receive_callback = std::function<void(const core::gossip_envelope&)>;

  virtual ~node_transport() = default;

  /// Sends `envelope` to node `envelope.message->to`.
  virtual transport_outcome deliver(core::gossip_envelope envelope) = 0;

  /// Sets node `node`'s receive callback; an empty one removes it.
  virtual void set_receiver(std::size_t node, receive_callback callback) = 0;

  /// Whether a message for `node` has somewhere to go now.
  [[nodiscard]] virtual bool reaches(std::size_t node) const = 0;

  /// Counters of the messages to `peer`.
  [[nodiscard]] virtual transport_stats stats(std::size_t peer) const = 0;
  /// Counters summed over every peer.
  [[nodiscard]] virtual transport_stats totals() const = 0;
};

}  // namespace sgp::net
