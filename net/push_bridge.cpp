// Between core::delta_push and wire frames.
#include "net/push_bridge.hpp"

#include <memory>
#include <vector>

namespace sgp::net {

std::uint64_t edge_key(wire::frame_kind kind, std::uint32_t sender, std::uint32_t receiver) {
  // Kind in the top byte (never 0), then 28 bits per node id.
  return (std::uint64_t{static_cast<std::uint8_t>(kind)} << 56) |
         (std::uint64_t{sender & 0x0fffffffu} << 28) | (receiver & 0x0fffffffu);
}

outgoing_frame push_frame(const push_address& address, const core::delta_push& push) {
  wire::push_fields f;
  f.sender = address.sender;
  f.receiver = address.receiver;
  f.sender_incarnation = address.sender_incarnation;
  f.receiver_incarnation = address.receiver_incarnation;
  f.iteration = address.iteration;
  f.seq = push.seq;
  f.base = push.base;
  f.weight = push.weight;
  f.type = push.precision == core::delta_precision::f32 ? wire::dtype::f32 : wire::dtype::bf16;
  f.count = static_cast<std::uint32_t>(push.count);
  const auto head = wire::encode_push_head(f, *push.values);
  return outgoing_frame{
      std::make_shared<const std::vector<std::uint8_t>>(head.begin(), head.end()), push.values,
      edge_key(wire::frame_kind::push, address.sender, address.receiver), push.progress};
}

outgoing_frame ack_frame(const push_address& address, std::uint64_t held) {
  const wire::ack a{address.receiver,           address.sender, address.receiver_incarnation,
                    address.sender_incarnation, held,           address.iteration};
  return outgoing_frame{std::make_shared<const std::vector<std::uint8_t>>(wire::encode_control(a)),
                        nullptr, edge_key(wire::frame_kind::ack, address.receiver, address.sender)};
}

wire::wire_result<std::pair<push_address, core::delta_push>> push_from_wire(
    const wire::push_view& view, bool borrow) {
  const auto& f = view.fields;
  if (f.type == wire::dtype::f64) return wire::wire_error::bad_dtype;
  push_address address{f.sender, f.receiver, f.sender_incarnation, f.receiver_incarnation,
                       f.iteration};
  core::delta_push push;
  push.seq = f.seq;
  push.base = f.base;
  push.weight = f.weight;
  push.precision =
      f.type == wire::dtype::f32 ? core::delta_precision::f32 : core::delta_precision::bf16;
  push.count = f.count;
  if (borrow) {
    push.borrowed = view.payload;
  } else {
    push.values =
        std::make_shared<const std::vector<std::uint8_t>>(view.payload.begin(), view.payload.end());
  }
  return std::pair{address, std::move(push)};
}

}  // namespace sgp::net
