// The frame: every message on an sgp data-plane connection is one frame, a
// fixed 24-byte header and a body whose layout the kind names.
//
//   offset size  field
//   0      4     magic 'S' 'G' 'P' 'W'
//   4      1     version (1)
//   5      1     kind (frame_kind)
//   6      2     flags (0; anything else is refused)
//   8      4     body length in bytes (u32, little-endian)
//   12     4     reserved (0)
//   16     4     CRC32C of the body
//   20     4     CRC32C of header bytes 0..19
//
// The header has its own checksum so that a reader checks the length field
// before it believes it: a corrupted length is refused at once instead of
// making the reader wait for (or allocate) gigabytes. The length is then
// bounded by the limit of its kind (control bodies have one exact size).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/wire/wire_error.hpp"

namespace sgp::net::wire {

inline constexpr std::array<std::uint8_t, 4> frame_magic{'S', 'G', 'P', 'W'};
inline constexpr std::uint8_t frame_version = 1;
inline constexpr std::size_t frame_header_size = 24;

/// Fixed parts of the bodies (layouts in push_codec.hpp, control_codec.hpp).
inline constexpr std::uint32_t push_header_size = 64;
inline constexpr std::uint32_t hello_body_size = 56;
inline constexpr std::uint32_t heartbeat_body_size = 24;
inline constexpr std::uint32_t ack_body_size = 40;
inline constexpr std::uint32_t notice_header_size = 16;

/// What a frame's body holds.
enum class frame_kind : std::uint8_t {
  push = 1,       ///< a push-sum share (push_codec.hpp)
  hello = 2,      ///< connection handshake (control_codec.hpp)
  heartbeat = 3,  ///< liveness (control_codec.hpp)
  ack = 4,        ///< a receiver's held sequence on an edge (control_codec.hpp)
  notice = 5,     ///< cluster coordination: a topic, text and values (notice_codec.hpp)
};

/// Decoding bounds.
struct frame_limits {
  /// Largest push body accepted (64-byte push header + payload). 1 GiB holds
  /// an fp32 push of 268 M parameters; bigger models need chunked pushes.
  std::uint32_t max_push_body = 1u << 30;
  /// Largest notice body (a process's model sum at the end of a run rides
  /// in one: 8 bytes per parameter).
  std::uint32_t max_notice_body = 1u << 30;
};

/// A checked frame header.
struct frame_header {
  frame_kind kind = frame_kind::push;
  std::uint32_t body_size = 0;
  std::uint32_t body_crc = 0;
};

/// A complete, checked frame inside a caller's buffer.
struct frame_view {
  frame_kind kind = frame_kind::push;
  std::span<const std::uint8_t> body;
};

/// The 24 header bytes for a body of `body_size` bytes with CRC32C `body_crc`.
[[nodiscard]] std::array<std::uint8_t, frame_header_size> encode_frame_header(
    frame_kind kind, std::uint32_t body_size, std::uint32_t body_crc);

/// A whole frame (header + body) in one buffer: tests, small control frames.
[[nodiscard]] std::vector<std::uint8_t> encode_frame(frame_kind kind,
                                                     std::span<const std::uint8_t> body);

/// Decodes frames and counts every refusal by reason. Not thread-safe: one
/// per connection (or per reading thread).
class frame_decoder {
 public:
  explicit frame_decoder(frame_limits limits = {}) : limits_(limits) {}

  /// Checks the first 24 bytes of a stream: magic, version, kind, flags,
  /// header checksum, then the length against the kind's limit. Needs
  /// exactly frame_header_size bytes (fewer: truncated).
  wire_result<frame_header> decode_header(std::span<const std::uint8_t> header);

  /// Checks a body read after decode_header: its size and checksum.
  wire_result<frame_view> check_body(const frame_header& header,
                                     std::span<const std::uint8_t> body);
  /// The same with the body's CRC32C already computed by the caller (a
  /// reader that checksums each chunk as it arrives, while it is in cache).
  wire_result<frame_view> check_body(const frame_header& header, std::span<const std::uint8_t> body,
                                     std::uint32_t body_crc);

  /// One whole frame in `bytes`, nothing after it (else trailing_bytes).
  wire_result<frame_view> decode(std::span<const std::uint8_t> bytes);

  /// The first frame of `bytes`; `consumed` gets its size (0 on refusal).
  wire_result<frame_view> decode_prefix(std::span<const std::uint8_t> bytes, std::size_t& consumed);

  /// Counts a refusal found above the frame (a codec, the transport).
  void reject(wire_error e) { rejected_.count(e); }

  [[nodiscard]] const rejection_counters& rejected() const { return rejected_; }
  [[nodiscard]] const frame_limits& limits() const { return limits_; }

 private:
  template <class T>
  wire_result<T> fail(wire_error e) {
    rejected_.count(e);
    return e;
  }

  frame_limits limits_;
  rejection_counters rejected_;
};

/// The exact body size of a control kind, or 0 for a kind without one (push).
[[nodiscard]] std::uint32_t fixed_body_size(frame_kind kind);

}  // namespace sgp::net::wire
