// The link emulator: transfer times, queueing, loss, up/down and partitions.
#include <catch2/catch.hpp>

#include "net/link_emulator.hpp"

using sgp::net::link_emulator;
using sgp::net::link_properties;

TEST_CASE("transfer time follows size, bandwidth and latency", "[net]") {
  link_emulator links(4, {1e9, 0.005, 0.0, 0.0}, 1);
  const auto d = links.plan(0, 1, 125'000'000, 10.0);  // 1 Gbit over 1 Gbit/s
  REQUIRE_FALSE(d.dropped);
  CHECK(d.deliver_at == Approx(10.0 + 1.0 + 0.005));
  CHECK(links.transfer_seconds(0, 1, 125'000'000) == Approx(1.005));
  // A bigger message takes longer.
  CHECK(links.transfer_seconds(0, 1, 250'000'000) > links.transfer_seconds(0, 1, 125'000'000));
}

TEST_CASE("a link carries one message at a time", "[net]") {
  link_emulator links(2, {8e6, 0.0, 0.0, 0.0}, 1);  // 1 MB/s
  const auto a = links.plan(0, 1, 1'000'000, 0.0);
  const auto b = links.plan(0, 1, 1'000'000, 0.0);
  const auto other = links.plan(1, 0, 1'000'000, 0.0);
  CHECK(a.deliver_at == Approx(1.0));
  CHECK(b.deliver_at == Approx(2.0));      // queued behind a
  CHECK(other.deliver_at == Approx(1.0));  // the reverse link is its own
}

TEST_CASE("with a shared egress a node's links take turns on its interface", "[net]") {
  link_emulator links(3, {8e6, 0.001, 0.0, 0.0}, 1);  // 1 MB/s, 1 ms
  // Own links: a node sends to two peers at once.
  CHECK(links.plan(0, 1, 1'000'000, 0.0).deliver_at == Approx(1.001));
  CHECK(links.plan(0, 2, 1'000'000, 0.0).deliver_at == Approx(1.001));
  link_emulator shared(3, {8e6, 0.001, 0.0, 0.0}, 1);
  shared.set_shared_egress(true);
  CHECK(shared.shared_egress());
  CHECK(shared.plan(0, 1, 1'000'000, 0.0).deliver_at == Approx(1.001));
  // The second waits for the first to leave node 0's interface.
  CHECK(shared.plan(0, 2, 1'000'000, 0.0).deliver_at == Approx(2.001));
  // Another node's interface is its own, and a message sent after the
  // interface is free again does not wait.
  CHECK(shared.plan(1, 0, 1'000'000, 0.0).deliver_at == Approx(1.001));
  CHECK(shared.plan(0, 1, 1'000'000, 5.0).deliver_at == Approx(6.001));
}

TEST_CASE("a frame overhead charges each TCP segment's headers", "[net]") {
  link_emulator links(2, {1e9, 0.0, 0.0, 0.0}, 1);
  CHECK(links.frame_overhead() == 0.0);
  CHECK(links.transfer_seconds(0, 1, 1448 * 1000) == Approx(8e-9 * 1448 * 1000));
  links.set_frame_overhead(66);
  // 1000 full segments: 1514 bytes each on the link.
  CHECK(links.transfer_seconds(0, 1, 1448 * 1000) == Approx(8e-9 * 1514 * 1000));
  // A partial segment still pays its headers; nothing pays nothing.
  CHECK(link_emulator::line_bytes(1449, 66) == Approx(1449 + 2 * 66));
  CHECK(link_emulator::line_bytes(1, 66) == Approx(67));
  CHECK(link_emulator::line_bytes(0, 66) == Approx(0));
  // The payload's rate at 1 Gbit/s: 956 Mbit/s (iperf3 over tbf: 962).
  const double payload_rate = 8.0 * 1448e6 / (links.transfer_seconds(0, 1, 1448'000'000) * 1e6);
  CHECK(payload_rate == Approx(956.4).epsilon(0.001));
  CHECK(links.plan(0, 1, 1448 * 1000, 0.0).deliver_at == Approx(8e-9 * 1514 * 1000));
}

TEST_CASE("loss drops about the configured fraction", "[net]") {
  link_emulator links(2, {0.0, 0.0, 0.0, 0.3}, 42);
  int dropped = 0;
  for (int i = 0; i < 10000; ++i) dropped += links.plan(0, 1, 100, i).dropped ? 1 : 0;
  CHECK(dropped > 2700);
  CHECK(dropped < 3300);
}

TEST_CASE("jitter stays within its bound and can reorder", "[net]") {
  link_emulator links(2, {0.0, 0.001, 0.002, 0.0}, 3);
  bool reordered = false;
  double last = 0.0;
  for (int i = 0; i < 1000; ++i) {
    const double now = i * 1e-4;
    const auto d = links.plan(0, 1, 10, now);
    CHECK(d.deliver_at >= now + 0.001);
    CHECK(d.deliver_at <= now + 0.003);
    reordered = reordered || d.deliver_at < last;
    last = d.deliver_at;
  }
  CHECK(reordered);
}

TEST_CASE("links go down and up, partitions split and heal", "[net]") {
  link_emulator links(4, {}, 1);
  links.set_up(2, 3, false);
  CHECK_FALSE(links.up(2, 3));
  CHECK(links.up(3, 2));  // directed
  const auto d = links.plan(2, 3, 10, 0.0);
  CHECK(d.dropped);
  CHECK(d.link_down);
  links.set_up(2, 3, true);
  CHECK(links.up(2, 3));

  links.partition({{0, 1}, {2, 3}});
  CHECK(links.up(0, 1));
  CHECK(links.up(2, 3));
  CHECK_FALSE(links.up(1, 2));
  CHECK_FALSE(links.up(3, 0));
  links.heal();
  CHECK(links.up(1, 2));
}

TEST_CASE("per-link settings override the defaults", "[net]") {
  link_emulator links(3, {10e9, 0.0, 0.0, 0.0}, 1);
  links.set_link(0, 2, {1e9, 0.01, 0.0, 0.0});
  CHECK(links.properties(0, 2).bandwidth_bits_per_second == 1e9);
  CHECK(links.properties(0, 1).bandwidth_bits_per_second == 10e9);
  CHECK(links.transfer_seconds(0, 2, 1000) > links.transfer_seconds(0, 1, 1000));
}
