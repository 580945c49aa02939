// The push codec: the body of a frame of kind push, a fixed 64-byte header
// and the bulk values.
//
//   offset size  field
//   0      4     sender node id (u32)
//   4      4     receiver node id (u32)
//   8      8     sender incarnation
//   16     8     receiver incarnation (as the sender knows it)
//   24     8     sender's iteration
//   32     8     sequence on this edge (>= 1)
//   40     8     base sequence: what the receiver must hold to apply (< sequence)
//   48     8     cumulative weight sent on the edge (f64, finite)
//   56     1     dtype (1 f32, 2 bf16, 3 f64)
//   57     3     reserved (0)
//   60     4     count: number of values (u32)
//   64     ...   count values, little-endian, dtype-sized
//
// The payload is the edge's rounded delta (core/edge_delta.hpp). The encoder
// produces the 88 bytes in front of the payload (frame header + push header)
// so a transport writes [head, payload] with one gather write and never copies
// the bulk.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/wire/frame.hpp"

namespace sgp::net::wire {

/// Element type of a push payload.
enum class dtype : std::uint8_t { f32 = 1, bf16 = 2, f64 = 3 };

/// Bytes per element (0 for an unknown value).
[[nodiscard]] constexpr std::size_t dtype_size(dtype t) {
  switch (t) {
    case dtype::f32:
      return 4;
    case dtype::bf16:
      return 2;
    case dtype::f64:
      return 8;
  }
  return 0;
}

/// The fixed fields of a push.
struct push_fields {
  std::uint32_t sender = 0;
  std::uint32_t receiver = 0;
  std::uint64_t sender_incarnation = 0;
  std::uint64_t receiver_incarnation = 0;
  std::uint64_t iteration = 0;
  std::uint64_t seq = 1;
  std::uint64_t base = 0;
  double weight = 0.0;
  dtype type = dtype::f32;
  std::uint32_t count = 0;

  friend bool operator==(const push_fields&, const push_fields&) = default;
};

/// A decoded push; the payload points into the frame's buffer.
struct push_view {
  push_fields fields;
  std::span<const std::uint8_t> payload;
};

inline constexpr std::size_t push_head_size = frame_header_size + push_header_size;

/// Bytes of the whole frame of a push of `count` values of `type` (frame
/// header, push header, payload): what encode_push writes and what a
/// transport charges for a push (the link emulator's cost).
[[nodiscard]] constexpr std::size_t push_frame_size(dtype type, std::size_t count) {
  return push_head_size + count * dtype_size(type);
}

/// Frame header + push header for `payload` (count × dtype_size bytes; a
/// mismatch is a caller bug and aborts). The body checksum covers both the
/// push header and the payload.
[[nodiscard]] std::array<std::uint8_t, push_head_size> encode_push_head(
    const push_fields& fields, std::span<const std::uint8_t> payload);

/// The whole frame in one buffer (tests, fuzzing).
[[nodiscard]] std::vector<std::uint8_t> encode_push(const push_fields& fields,
                                                    std::span<const std::uint8_t> payload);

/// Decodes a push body (`frame.kind` must be push); refusals counted in `decoder`.
wire_result<push_view> decode_push(frame_decoder& decoder, const frame_view& frame);

}  // namespace sgp::net::wire
