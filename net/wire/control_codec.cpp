// Control codec: hello, heartbeat, ack.
#include "net/wire/control_codec.hpp"

#include "net/wire/byte_io.hpp"

namespace sgp::net::wire {
namespace {

struct body_writer {
  std::vector<std::uint8_t>& out;
  void operator()(const hello& m) {
    out.resize(hello_body_size);
    byte_writer w(out);
    w.put(m.process);
    w.put(m.program_version);
    w.put(m.settings_hash);
    w.put(m.nonce);
    w.put_bytes(m.proof);
  }
  void operator()(const heartbeat& m) {
    out.resize(heartbeat_body_size);
    byte_writer w(out);
    w.put(m.process);
    w.put(std::uint32_t{0});
    w.put(m.seq);
    w.put(m.sent_at_ns);
  }
  void operator()(const ack& m) {
    out.resize(ack_body_size);
    byte_writer w(out);
    w.put(m.sender);
    w.put(m.receiver);
    w.put(m.sender_incarnation);
    w.put(m.receiver_incarnation);
    w.put(m.held_seq);
    w.put(m.iteration);
  }
};

frame_kind kind_of(const control_message& m) {
  if (std::holds_alternative<hello>(m)) return frame_kind::hello;
  if (std::holds_alternative<heartbeat>(m)) return frame_kind::heartbeat;
  return frame_kind::ack;
}

}  // namespace

std::vector<std::uint8_t> encode_control(const control_message& message) {
  std::vector<std::uint8_t> body;
  std::visit(body_writer{body}, message);
  return encode_frame(kind_of(message), body);
}

wire_result<control_message> decode_control(frame_decoder& decoder, const frame_view& frame) {
  auto fail = [&](wire_error e) -> wire_result<control_message> {
    decoder.reject(e);
    return e;
  };
  const std::uint32_t fixed = fixed_body_size(frame.kind);
  if (fixed == 0) return fail(wire_error::bad_kind);
  if (frame.body.size() != fixed) return fail(wire_error::body_size);
  byte_reader r(frame.body);
  switch (frame.kind) {
    case frame_kind::hello: {
      hello m;
      m.process = r.get<std::uint32_t>();
      m.program_version = r.get<std::uint32_t>();
      m.settings_hash = r.get<std::uint64_t>();
      m.nonce = r.get<std::uint64_t>();
      const auto proof = r.get_bytes(m.proof.size());
      std::copy(proof.begin(), proof.end(), m.proof.begin());
      return control_message{m};
    }
    case frame_kind::heartbeat: {
      heartbeat m;
      m.process = r.get<std::uint32_t>();
      if (r.get<std::uint32_t>() != 0) return fail(wire_error::bad_flags);
      m.seq = r.get<std::uint64_t>();
      m.sent_at_ns = r.get<std::uint64_t>();
      return control_message{m};
    }
    case frame_kind::ack: {
      ack m;
      m.sender = r.get<std::uint32_t>();
      m.receiver = r.get<std::uint32_t>();
      m.sender_incarnation = r.get<std::uint64_t>();
      m.receiver_incarnation = r.get<std::uint64_t>();
      m.held_seq = r.get<std::uint64_t>();
      m.iteration = r.get<std::uint64_t>();
      if (m.sender == m.receiver) return fail(wire_error::bad_value);
      return control_message{m};
    }
    case frame_kind::push:
    case frame_kind::notice:
      break;
  }
  return fail(wire_error::bad_kind);
}

}  // namespace sgp::net::wire
