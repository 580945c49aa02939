// The in-process transport: the envelope itself is handed over, no copy.
#include <catch2/catch.hpp>

#include <vector>

#include "net/in_process_transport.hpp"
#include "transport_fixture.hpp"

using sgp::net::in_process_transport;
using sgp::net::transport_outcome;
using sgp::net::testing::push_envelope;

TEST_CASE("the in-process transport hands the same buffers over", "[net]") {
  in_process_transport t;
  std::vector<sgp::core::gossip_envelope> got;
  t.set_receiver(1, [&](const sgp::core::gossip_envelope& e) { got.push_back(e); });
  auto e = push_envelope(0, 1, 1, 1000);
  const auto* message = e.message.get();
  const auto* mass = e.message->mass.get();
  CHECK(t.deliver(e) == transport_outcome::delivered);
  REQUIRE(got.size() == 1);
  CHECK(got[0].message.get() == message);
  CHECK(got[0].message->mass.get() == mass);
  CHECK(got[0].iteration == 1);
  CHECK(t.stats(1).messages_sent == 1);
  CHECK(t.stats(1).messages_delivered == 1);
  CHECK(t.stats(1).bytes_sent == 0);  // nothing serialised
}

TEST_CASE("the in-process transport drops a message for a node without receiver", "[net]") {
  in_process_transport t;
  int calls = 0;
  t.set_receiver(2, [&](const sgp::core::gossip_envelope&) { ++calls; });
  CHECK(t.reaches(2));
  CHECK_FALSE(t.reaches(1));
  CHECK(t.deliver(push_envelope(0, 1, 1, 4)) == transport_outcome::unknown_peer);
  t.set_receiver(2, {});
  CHECK(t.deliver(push_envelope(0, 2, 1, 4)) == transport_outcome::unknown_peer);
  CHECK(calls == 0);
  CHECK(t.totals().messages_dropped == 2);
  CHECK(t.totals().messages_sent == 2);
}
