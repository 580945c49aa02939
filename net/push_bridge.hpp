// Between the bulk scheme (core/edge_delta.hpp) and the wire (net/wire): a
// sender's delta_push becomes a gather-ready frame for a transport, and a
// decoded push frame becomes the receiver's delta_push. Addressing (who,
// which lives, which iteration) travels beside the delta.
#pragma once

#include <cstdint>
#include <utility>

#include "core/edge_delta.hpp"
#include "net/frame_transport.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/push_codec.hpp"

namespace sgp::net {

/// The envelope of a push: both ends, both incarnations, the sender's iteration.
struct push_address {
  std::uint32_t sender = 0;
  std::uint32_t receiver = 0;
  std::uint64_t sender_incarnation = 0;
  std::uint64_t receiver_incarnation = 0;
  std::uint64_t iteration = 0;
  friend bool operator==(const push_address&, const push_address&) = default;
};

/// A nonzero supersede key per (kind, sender, receiver): a newer push (or
/// ack) on an edge replaces the queued one.
[[nodiscard]] std::uint64_t edge_key(wire::frame_kind kind, std::uint32_t sender,
                                     std::uint32_t receiver);

/// The frame of `push` as [head, values]; the values are not copied.
[[nodiscard]] outgoing_frame push_frame(const push_address& address, const core::delta_push& push);

/// The frame acknowledging that `address.receiver` holds `held` on the edge
/// from `address.sender` (sent by the receiver, back to the sender).
[[nodiscard]] outgoing_frame ack_frame(const push_address& address, std::uint64_t held);

/// A decoded push as the receiver's delta: the values copied out of the
/// frame, or with `borrow` read in place (delta_push::borrowed: valid while
/// the frame's buffer is). An f64 payload is not a delta: bad_dtype.
[[nodiscard]] wire::wire_result<std::pair<push_address, core::delta_push>> push_from_wire(
    const wire::push_view& view, bool borrow = false);

}  // namespace sgp::net
