// Between core::delta_push and frames (net/push_bridge.hpp).
#include <catch2/catch.hpp>

#include <vector>

#include "net/push_bridge.hpp"

namespace wire = sgp::net::wire;

TEST_CASE("a delta push survives the frame with its address", "[net]") {
  sgp::core::delta_sender s(5, sgp::core::delta_precision::bf16);
  const std::vector<double> share{1.0, -2.5, 3.25, 0.0, 1e-3};
  s.commit(std::span<const double>(share), 0.125);
  const auto push = s.push();
  const sgp::net::push_address address{4, 9, 2, 3, 77};
  const auto out = sgp::net::push_frame(address, push);
  CHECK(out.payload == push.values);  // gather: the values are not copied
  std::vector<std::uint8_t> bytes(*out.head);
  bytes.insert(bytes.end(), out.payload->begin(), out.payload->end());
  wire::frame_decoder d;
  auto frame = d.decode(bytes);
  REQUIRE(frame.ok());
  auto view = wire::decode_push(d, frame.value());
  REQUIRE(view.ok());
  auto back = sgp::net::push_from_wire(view.value());
  REQUIRE(back.ok());
  CHECK(back.value().first == address);
  const auto& p = back.value().second;
  CHECK(p.seq == push.seq);
  CHECK(p.base == push.base);
  CHECK(p.weight == push.weight);
  CHECK(p.precision == push.precision);
  CHECK(*p.values == *push.values);
  // Applied at a receiver, it adds what the sender's bf16 values say.
  sgp::core::delta_receiver r(5);
  std::vector<double> x(5, 0.0);
  double w = 0.0;
  REQUIRE(r.apply(p, x, w) == sgp::core::delta_outcome::applied);
  CHECK(x == std::vector<double>{1.0, -2.5, 3.25, 0.0,
                                 sgp::core::delta_value(*p.values, p.precision, 4)});
  CHECK(w == 0.125);

  // An f64 payload is no delta.
  auto f = view.value();
  f.fields.type = wire::dtype::f64;
  CHECK(sgp::net::push_from_wire(f).error() == wire::wire_error::bad_dtype);
}

TEST_CASE("acks go back to the sender and keys separate kinds and edges", "[net]") {
  const sgp::net::push_address address{4, 9, 2, 3, 77};
  const auto out = sgp::net::ack_frame(address, 12);
  wire::frame_decoder d;
  auto frame = d.decode(*out.head);
  REQUIRE(frame.ok());
  auto c = wire::decode_control(d, frame.value());
  REQUIRE(c.ok());
  CHECK(std::get<wire::ack>(c.value()) == wire::ack{9, 4, 3, 2, 12, 77});
  using sgp::net::edge_key;
  const auto push = wire::frame_kind::push;
  CHECK(edge_key(push, 4, 9) != 0);
  CHECK(edge_key(push, 4, 9) != edge_key(push, 9, 4));
  CHECK(edge_key(push, 4, 9) != edge_key(wire::frame_kind::ack, 4, 9));
  CHECK(edge_key(push, 4, 9) != edge_key(push, 4, 10));
  CHECK(out.supersede_key == edge_key(wire::frame_kind::ack, 9, 4));
}
