// Push codec: fixed fields, validation, gather-ready head.
#include "net/wire/push_codec.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "net/wire/byte_io.hpp"
#include "net/wire/crc32c.hpp"

namespace sgp::net::wire {

namespace {

std::array<std::uint8_t, push_header_size> encode_fields(const push_fields& f) {
  std::array<std::uint8_t, push_header_size> out{};
  byte_writer w(out);
  w.put(f.sender);
  w.put(f.receiver);
  w.put(f.sender_incarnation);
  w.put(f.receiver_incarnation);
  w.put(f.iteration);
  w.put(f.seq);
  w.put(f.base);
  w.put(f.weight);
  w.put(static_cast<std::uint8_t>(f.type));
  w.put(std::uint8_t{0});
  w.put(std::uint16_t{0});
  w.put(f.count);
  return out;
}

}  // namespace

std::array<std::uint8_t, push_head_size> encode_push_head(const push_fields& fields,
                                                          std::span<const std::uint8_t> payload) {
  const std::size_t want = std::size_t{fields.count} * dtype_size(fields.type);
  if (want != payload.size() || payload.size() > 0xffffffffu - push_header_size) {
    std::fprintf(stderr, "%s:%d: push payload of %zu bytes for %u values of size %zu\n", __FILE__,
                 __LINE__, payload.size(), fields.count, dtype_size(fields.type));
    std::abort();
  }
  const auto body_head = encode_fields(fields);
  const std::uint32_t crc = crc32c(payload, crc32c(body_head));
  const auto header = encode_frame_header(
      frame_kind::push, static_cast<std::uint32_t>(push_header_size + payload.size()), crc);
  std::array<std::uint8_t, push_head_size> out{};
  std::copy(header.begin(), header.end(), out.begin());
  std::copy(body_head.begin(), body_head.end(), out.begin() + frame_header_size);
  return out;
}

std::vector<std::uint8_t> encode_push(const push_fields& fields,
                                      std::span<const std::uint8_t> payload) {
  const auto head = encode_push_head(fields, payload);
  std::vector<std::uint8_t> out(head.size() + payload.size());
  std::memcpy(out.data(), head.data(), head.size());
  if (!payload.empty()) std::memcpy(out.data() + head.size(), payload.data(), payload.size());
  return out;
}

wire_result<push_view> decode_push(frame_decoder& decoder, const frame_view& frame) {
  auto fail = [&](wire_error e) -> wire_result<push_view> {
    decoder.reject(e);
    return e;
  };
  if (frame.kind != frame_kind::push) return fail(wire_error::bad_kind);
  byte_reader r(frame.body);
  push_fields f;
  f.sender = r.get<std::uint32_t>();
  f.receiver = r.get<std::uint32_t>();
  f.sender_incarnation = r.get<std::uint64_t>();
  f.receiver_incarnation = r.get<std::uint64_t>();
  f.iteration = r.get<std::uint64_t>();
  f.seq = r.get<std::uint64_t>();
  f.base = r.get<std::uint64_t>();
  f.weight = r.get<double>();
  const auto type = r.get<std::uint8_t>();
  const auto reserved8 = r.get<std::uint8_t>();
  const auto reserved16 = r.get<std::uint16_t>();
  f.count = r.get<std::uint32_t>();
  if (r.failed()) return fail(wire_error::body_size);
  if (reserved8 != 0 || reserved16 != 0) return fail(wire_error::bad_flags);
  f.type = static_cast<dtype>(type);
  const std::size_t size = dtype_size(f.type);
  if (size == 0) return fail(wire_error::bad_dtype);
  // count × size in 64 bits cannot overflow (u32 × 8).
  if (std::uint64_t{f.count} * size != r.remaining()) return fail(wire_error::count_mismatch);
  if (f.seq == 0 || f.base >= f.seq || f.sender == f.receiver || !std::isfinite(f.weight))
    return fail(wire_error::bad_value);
  return push_view{f, r.get_bytes(r.remaining())};
}

}  // namespace sgp::net::wire
