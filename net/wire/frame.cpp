// Frame header encoding and the bounded, checksummed frame decoder.
#include "net/wire/frame.hpp"

#include <algorithm>
#include <cstring>

#include "net/wire/byte_io.hpp"
#include "net/wire/crc32c.hpp"

namespace sgp::net::wire {

std::uint32_t fixed_body_size(frame_kind kind) {
  switch (kind) {
    case frame_kind::hello:
      return hello_body_size;
    case frame_kind::heartbeat:
      return heartbeat_body_size;
    case frame_kind::ack:
      return ack_body_size;
    case frame_kind::push:
    case frame_kind::notice:
      return 0;
  }
  return 0;
}

std::array<std::uint8_t, frame_header_size> encode_frame_header(frame_kind kind,
                                                                std::uint32_t body_size,
                                                                std::uint32_t body_crc) {
  std::array<std::uint8_t, frame_header_size> h{};
  byte_writer w(h);
  w.put_bytes(frame_magic);
  w.put(frame_version);
  w.put(static_cast<std::uint8_t>(kind));
  w.put(std::uint16_t{0});
  w.put(body_size);
  w.put(std::uint32_t{0});
  w.put(body_crc);
  w.put(crc32c(std::span<const std::uint8_t>(h.data(), 20)));
  return h;
}

std::vector<std::uint8_t> encode_frame(frame_kind kind, std::span<const std::uint8_t> body) {
  const auto header =
      encode_frame_header(kind, static_cast<std::uint32_t>(body.size()), crc32c(body));
  std::vector<std::uint8_t> out(header.size() + body.size());
  std::memcpy(out.data(), header.data(), header.size());
  if (!body.empty()) std::memcpy(out.data() + header.size(), body.data(), body.size());
  return out;
}

wire_result<frame_header> frame_decoder::decode_header(std::span<const std::uint8_t> header) {
  if (header.size() < frame_header_size) return fail<frame_header>(wire_error::truncated);
  byte_reader r(header.first(frame_header_size));
  const auto magic = r.get_bytes(4);
  if (!std::equal(magic.begin(), magic.end(), frame_magic.begin()))
    return fail<frame_header>(wire_error::bad_magic);
  // The checksum before any other field: a flipped bit anywhere is a
  // checksum failure, and no field of a corrupted header is believed.
  std::uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, header.data() + 20, 4);
  if (crc32c(header.first(20)) != stored_crc)
    return fail<frame_header>(wire_error::header_checksum);
  const auto version = r.get<std::uint8_t>();
  const auto kind = r.get<std::uint8_t>();
  const auto flags = r.get<std::uint16_t>();
  const auto size = r.get<std::uint32_t>();
  const auto reserved = r.get<std::uint32_t>();
  const auto body_crc = r.get<std::uint32_t>();
  if (version != frame_version) return fail<frame_header>(wire_error::bad_version);
  if (kind < static_cast<std::uint8_t>(frame_kind::push) ||
      kind > static_cast<std::uint8_t>(frame_kind::notice))
    return fail<frame_header>(wire_error::bad_kind);
  if (flags != 0 || reserved != 0) return fail<frame_header>(wire_error::bad_flags);
  const auto k = static_cast<frame_kind>(kind);
  const std::uint32_t fixed = fixed_body_size(k);
  if (fixed != 0) {
    if (size > fixed) return fail<frame_header>(wire_error::too_large);
    if (size < fixed) return fail<frame_header>(wire_error::body_size);
  } else if (k == frame_kind::notice) {
    if (size > limits_.max_notice_body) return fail<frame_header>(wire_error::too_large);
    if (size < notice_header_size) return fail<frame_header>(wire_error::body_size);
  } else {
    if (size > limits_.max_push_body) return fail<frame_header>(wire_error::too_large);
    if (size < push_header_size) return fail<frame_header>(wire_error::body_size);
  }
  return frame_header{k, size, body_crc};
}

wire_result<frame_view> frame_decoder::check_body(const frame_header& header,
                                                  std::span<const std::uint8_t> body) {
  if (body.size() != header.body_size) return fail<frame_view>(wire_error::truncated);
  return check_body(header, body, crc32c(body));
}

wire_result<frame_view> frame_decoder::check_body(const frame_header& header,
                                                  std::span<const std::uint8_t> body,
                                                  std::uint32_t body_crc) {
  if (body.size() != header.body_size) return fail<frame_view>(wire_error::truncated);
  if (body_crc != header.body_crc) return fail<frame_view>(wire_error::body_checksum);
  return frame_view{header.kind, body};
}

wire_result<frame_view> frame_decoder::decode_prefix(std::span<const std::uint8_t> bytes,
                                                     std::size_t& consumed) {
  consumed = 0;
  auto header = decode_header(bytes);
  if (!header) return header.error();  // counted by decode_header
  const std::size_t total = frame_header_size + std::size_t{header->body_size};
  if (bytes.size() < total) return fail<frame_view>(wire_error::truncated);
  auto frame = check_body(header.value(), bytes.subspan(frame_header_size, header->body_size));
  if (frame) consumed = total;
  return frame;
}

wire_result<frame_view> frame_decoder::decode(std::span<const std::uint8_t> bytes) {
  std::size_t consumed = 0;
  auto frame = decode_prefix(bytes, consumed);
  if (frame && consumed != bytes.size()) return fail<frame_view>(wire_error::trailing_bytes);
  return frame;
}

}  // namespace sgp::net::wire
