// A process boundary for push-sum: the edges between this process's nodes
// and nodes in other processes. Inside a process a push is a running sum
// (core::push_message: the edge's whole cumulative mass, shared, never
// copied); across processes it travels as an acknowledged delta
// (core/edge_delta.hpp, at most 4 bytes per parameter). This class turns
// one into the other at both ends, without sockets or actors:
//
//   out-edge (local sender -> remote receiver): the running sum's total
//   becomes T of the edge's delta_sender; a push carries round(T - C_a).
//   in-edge (remote sender -> local receiver): an accepted delta moves C,
//   and C goes on to the local worker as a running sum with the delta's
//   sequence, so the worker's own running sums see an ordinary message.
//
// So mass is exact end to end: what the local receiver ever added is C,
// what the remote sender took out of its x is T, and T - C is in flight
// (sent again with the next push or flush). A push that cannot apply (a
// stale or mismatched base) is still forwarded as a stale running sum: it
// proves the sender reached its round, which blocking SGP waits for.
//
// The `iteration` field of the wire header carries the push's round (the
// graph schedule's index); mass transfers outside rounds (a revived node's
// donor share) do not cross processes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/edge_delta.hpp"
#include "core/gossip_node.hpp"
#include "core/host_block_pool.hpp"
#include "net/frame_transport.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/push_codec.hpp"

namespace sgp::net {

/// Counters of a process boundary.
struct remote_edge_counters {
  std::uint64_t pushes_out = 0;
  std::uint64_t resent_out = 0;   ///< window full: a pending push again
  std::uint64_t stale_local = 0;  ///< a local running sum older than one already sent
  std::uint64_t transfers_refused = 0;
  std::uint64_t pushes_in = 0;
  std::uint64_t applied_in = 0;
  std::uint64_t not_applied_in = 0;  ///< stale or base mismatch (forwarded as stale)
  std::uint64_t malformed_in = 0;
  std::uint64_t acks_in = 0;
  std::uint64_t wire_bytes_out = 0;  ///< frame bytes of pushes handed to the transport
};

class remote_edges {
 public:
  /// Models of `size` parameters, deltas in `precision`. With `pinning` (a
  /// GPU backend's), the out-edges' T and the forwarded sums are pinned: a
  /// GPU downloads into and uploads from them by DMA.
  remote_edges(std::size_t size, core::delta_precision precision,
               std::shared_ptr<const core::host_pinning> pinning = nullptr);

  /// A local sender's envelope for a remote node: the frame to send, or
  /// nothing (an older running sum than one already sent, or a transfer).
  [[nodiscard]] std::optional<outgoing_frame> outgoing(const core::gossip_envelope& e);

  /// What a received push did.
  struct inbound {
    std::optional<core::gossip_envelope> forward;  ///< for the local receiver's worker
    std::optional<outgoing_frame> ack;             ///< back to the sender's process
  };
  /// A received push for a local node.
  [[nodiscard]] inbound incoming(const wire::push_view& push);

  /// A received acknowledgement for one of this process's out-edges.
  void acknowledged(const wire::ack& a);

  /// Forgets every edge to and from `node` (it died or was revived: a new
  /// incarnation starts its edges from zero).
  void forget(std::uint32_t node);

  /// Forgets every edge to and from the nodes of `process` (it died or was
  /// readmitted); `node_process` gives each node's process.
  void forget_process(const std::vector<std::uint32_t>& node_process, std::uint32_t process);

  [[nodiscard]] const remote_edge_counters& counters() const { return counters_; }

 private:
  struct out_edge {
    core::delta_sender sender;
    std::uint64_t last_seq = 0;  ///< of the running sum last taken in
    std::uint64_t sender_incarnation = 0;
    std::uint64_t receiver_incarnation = 0;
  };
  struct in_edge {
    core::delta_receiver receiver;
    core::shared_mass held;  ///< C as a block, shared with forwarded messages
    std::uint64_t sender_incarnation = 0;
    std::uint64_t receiver_incarnation = 0;
  };
  using edge_id = std::pair<std::uint32_t, std::uint32_t>;

  out_edge& out_edge_of(const core::gossip_envelope& e);
  in_edge& in_edge_of(const wire::push_fields& f);

  std::size_t size_;
  core::delta_precision precision_;
  std::shared_ptr<const core::host_pinning> pinning_;
  /// Forwarded sums (C of an in-edge), recycled: a fresh model-sized block
  /// per push costs a page fault per 4 KiB.
  std::shared_ptr<core::host_block_pool> pool_;
  std::map<edge_id, out_edge> out_;
  std::map<edge_id, in_edge> in_;
  remote_edge_counters counters_;
};

}  // namespace sgp::net
