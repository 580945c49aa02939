// The control codec: small fixed-size bodies for connection set-up and
// liveness on the data plane, and the acknowledgements of the bulk scheme.
//
// hello (56 bytes):     process u32, program version u32, settings hash u64,
//                       nonce u64, auth proof 32 bytes (e.g. an HMAC of the
//                       nonce and the settings hash under the shared secret;
//                       the bootstrap computes and checks it, the codec only
//                       carries it)
// heartbeat (24 bytes): process u32, reserved u32 (0), sequence u64,
//                       sender's clock in ns u64
// ack (40 bytes):       sender u32 (the acknowledging node: the push's
//                       receiver), receiver u32 (the push's sender), sender
//                       incarnation u64, receiver incarnation u64, held
//                       sequence u64 (the last push applied on the edge
//                       receiver -> sender), iteration u64
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "net/wire/frame.hpp"

namespace sgp::net::wire {

struct hello {
  std::uint32_t process = 0;
  std::uint32_t program_version = 0;
  std::uint64_t settings_hash = 0;
  std::uint64_t nonce = 0;
  std::array<std::uint8_t, 32> proof{};
  friend bool operator==(const hello&, const hello&) = default;
};

struct heartbeat {
  std::uint32_t process = 0;
  std::uint64_t seq = 0;
  std::uint64_t sent_at_ns = 0;
  friend bool operator==(const heartbeat&, const heartbeat&) = default;
};

struct ack {
  std::uint32_t sender = 0;
  std::uint32_t receiver = 0;
  std::uint64_t sender_incarnation = 0;
  std::uint64_t receiver_incarnation = 0;
  std::uint64_t held_seq = 0;
  std::uint64_t iteration = 0;
  friend bool operator==(const ack&, const ack&) = default;
};

using control_message = std::variant<hello, heartbeat, ack>;

/// The whole frame of a control message.
[[nodiscard]] std::vector<std::uint8_t> encode_control(const control_message& message);

/// Decodes a control body (kind hello, heartbeat or ack); refusals counted in `decoder`.
wire_result<control_message> decode_control(frame_decoder& decoder, const frame_view& frame);

}  // namespace sgp::net::wire
