// What a push is charged equals what the wire carries: the codec's encoded
// length, and the frame the process boundary (net/remote_edges) sends for
// the same envelope.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "net/emulated_transport.hpp"
#include "net/remote_edges.hpp"
#include "net/wire/push_codec.hpp"
#include "transport_fixture.hpp"

namespace wire = sgp::net::wire;
using sgp::core::delta_precision;
using namespace sgp::net::testing;

TEST_CASE("push_frame_size is the length of an encoded push", "[net]") {
  for (const auto type : {wire::dtype::f32, wire::dtype::bf16, wire::dtype::f64}) {
    for (const std::uint32_t count : {0u, 1u, 7u, 1000u}) {
      wire::push_fields f;
      f.sender = 3;
      f.receiver = 5;
      f.type = type;
      f.count = count;
      const std::vector<std::uint8_t> payload(count * wire::dtype_size(type), 0x5a);
      CHECK(wire::encode_push(f, payload).size() == wire::push_frame_size(type, count));
    }
  }
}

TEST_CASE("the emulator charges a push the frame the process boundary sends", "[net]") {
  const std::size_t n = 1234;
  for (const auto& [precision, type] : {std::pair{delta_precision::f32, wire::dtype::f32},
                                        std::pair{delta_precision::bf16, wire::dtype::bf16}}) {
    manual_clock clock;
    sgp::net::emulated_transport t(
        std::make_unique<recording_transport>(clock, 2, std::make_shared<std::vector<arrival>>()),
        clock, sgp::net::link_emulator(2, {}, 1), sgp::net::emulation_options{0, 0.0, 1, type});
    sgp::net::remote_edges boundary(n, precision);
    const auto e = push_envelope(0, 1, 1, n);
    const auto frame = boundary.outgoing(e);
    REQUIRE(frame.has_value());
    CHECK(t.charge(e) == frame->size());
    // Not the 4 bytes per parameter of before: the heads are on the wire too.
    CHECK(t.charge(e) == wire::push_head_size + n * wire::dtype_size(type));
  }
}
