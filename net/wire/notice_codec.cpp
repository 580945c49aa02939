// Notice codec (see notice_codec.hpp).
#include "net/wire/notice_codec.hpp"

#include <cmath>
#include <cstring>

#include "net/wire/byte_io.hpp"

namespace sgp::net::wire {

std::vector<std::uint8_t> encode_notice(const notice& n) {
  std::vector<std::uint8_t> body(notice_header_size + n.text.size() + 8 * n.values.size());
  byte_writer w(body);
  w.put(n.process);
  w.put(static_cast<std::uint32_t>(n.topic));
  w.put(static_cast<std::uint32_t>(n.text.size()));
  w.put(static_cast<std::uint32_t>(n.values.size()));
  w.put_bytes({reinterpret_cast<const std::uint8_t*>(n.text.data()), n.text.size()});
  for (const double v : n.values) w.put(v);
  return encode_frame(frame_kind::notice, body);
}

wire_result<notice> decode_notice(frame_decoder& decoder, const frame_view& frame) {
  auto fail = [&](wire_error e) -> wire_result<notice> {
    decoder.reject(e);
    return e;
  };
  if (frame.kind != frame_kind::notice) return fail(wire_error::bad_kind);
  if (frame.body.size() < notice_header_size) return fail(wire_error::body_size);
  byte_reader r(frame.body);
  notice n;
  n.process = r.get<std::uint32_t>();
  const auto topic = r.get<std::uint32_t>();
  const auto text_size = r.get<std::uint32_t>();
  const auto count = r.get<std::uint32_t>();
  if (topic < static_cast<std::uint32_t>(notice_topic::done) ||
      topic > static_cast<std::uint32_t>(notice_topic::release))
    return fail(wire_error::bad_value);
  n.topic = static_cast<notice_topic>(topic);
  // 64-bit arithmetic: the fields are attacker-controlled.
  if (std::uint64_t{text_size} + 8 * std::uint64_t{count} != r.remaining())
    return fail(wire_error::body_size);
  const auto text = r.get_bytes(text_size);
  n.text.assign(reinterpret_cast<const char*>(text.data()), text.size());
  n.values.resize(count);
  for (auto& v : n.values) {
    v = r.get<double>();
    if (!std::isfinite(v)) return fail(wire_error::bad_value);
  }
  return n;
}

}  // namespace sgp::net::wire
