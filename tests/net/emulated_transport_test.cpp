// The link emulator as a decorator: timing, order, loss, links down,
// duplicates and counters, over a recording transport and a manual clock.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "net/emulated_transport.hpp"
#include "net/wire/push_codec.hpp"
#include "transport_fixture.hpp"

using sgp::net::emulated_transport;
using sgp::net::emulation_options;
using sgp::net::link_emulator;
using sgp::net::link_properties;
using sgp::net::transport_outcome;
using sgp::net::wire::dtype;
using sgp::net::wire::push_frame_size;
using namespace sgp::net::testing;

namespace {

struct rig {
  manual_clock clock;
  std::shared_ptr<std::vector<arrival>> log = std::make_shared<std::vector<arrival>>();
  std::unique_ptr<emulated_transport> transport;

  rig(std::size_t nodes, link_properties links, double duplicate = 0.0, std::uint64_t seed = 1,
      dtype wire = dtype::f32) {
    transport = std::make_unique<emulated_transport>(
        std::make_unique<recording_transport>(clock, nodes, log), clock,
        link_emulator(static_cast<int>(nodes), links, seed),
        emulation_options{0, duplicate, seed, wire});
  }
};

}  // namespace

TEST_CASE("a push takes its wire bytes over the bandwidth, plus latency", "[net]") {
  // 8 Mbit/s = 1 MB/s; 250'000 values of f32 = 1 MB + 88 bytes of heads.
  rig r(2, {8e6, 0.002, 0.0, 0.0});
  const auto e = push_envelope(0, 1, 1, 250'000);
  const auto bytes = push_frame_size(dtype::f32, 250'000);
  CHECK(r.transport->charge(e) == bytes);
  CHECK(r.transport->deliver(e) == transport_outcome::scheduled);
  CHECK(r.log->empty());
  const double due = static_cast<double>(bytes) / 1e6 + 0.002;
  r.clock.advance_to(due - 1e-6);
  CHECK(r.log->empty());
  r.clock.advance_to(due + 1e-6);
  REQUIRE(r.log->size() == 1);
  CHECK(r.log->front().at == Approx(due));
  // The envelope itself arrives: the same shared message, not a copy.
  CHECK(r.log->front().envelope.message == e.message);
  const auto st = r.transport->stats(1);
  CHECK(st.messages_sent == 1);
  CHECK(st.messages_delivered == 1);
  CHECK(st.bytes_sent == bytes);
  CHECK(r.transport->totals() == st);
}

TEST_CASE("bf16 pushes are charged two bytes a value", "[net]") {
  rig r(2, {8e6, 0.0, 0.0, 0.0}, 0.0, 1, dtype::bf16);
  const auto e = push_envelope(0, 1, 1, 1000);
  CHECK(r.transport->charge(e) == sgp::net::wire::push_head_size + 2000);
}

TEST_CASE("a link queues its messages and none overtakes an earlier one", "[net]") {
  // 1 MB/s, no latency: the first push is on the wire 1 ms; a tiny one after
  // it is due 'at once' by its own size, but waits behind the first.
  rig r(3, {8e6, 0.0, 0.0, 0.0});
  r.transport->deliver(push_envelope(0, 1, 1, 250));  // ~1 ms
  r.transport->deliver(push_envelope(0, 1, 2, 0));    // 88 bytes, queued behind it
  r.transport->deliver(push_envelope(0, 2, 1, 0));    // another link: its own queue
  r.clock.advance_to(1.0);
  REQUIRE(r.log->size() == 3);
  CHECK(r.log->at(0).envelope.message->to == 2);
  CHECK(r.log->at(1).envelope.message->seq == 1);
  CHECK(r.log->at(2).envelope.message->seq == 2);
  CHECK(r.log->at(2).at > r.log->at(1).at);
}

TEST_CASE("a push still queued for its link is replaced by a newer one to that peer", "[net]") {
  // 1 MB/s, no latency. Push 1 is on the wire for ~1 ms; push 2 waits
  // behind it, and push 3 to the same peer takes push 2's place and time,
  // as the TCP transport's queue does (running sums: nothing is lost).
  rig r(3, {8e6, 0.0, 0.0, 0.0});
  r.transport->deliver(push_envelope(0, 1, 1, 250));
  CHECK(r.transport->deliver(push_envelope(0, 1, 2, 250)) == transport_outcome::scheduled);
  CHECK(r.transport->deliver(push_envelope(0, 1, 3, 250)) == transport_outcome::scheduled);
  // Another peer's link has its own queue: nothing to replace there.
  r.transport->deliver(push_envelope(0, 2, 1, 250));
  r.clock.advance_to(0.0015);
  // Push 2 has started on the link now: push 4 queues behind it.
  r.transport->deliver(push_envelope(0, 1, 4, 250));
  // A transfer (mass handed to a revived node) is never replaced, nor replaces.
  auto transfer = push_envelope(0, 1, 5, 250);
  transfer.transfer = true;
  r.transport->deliver(transfer);
  r.transport->deliver(push_envelope(0, 1, 6, 250));
  r.clock.advance_to(1.0);
  std::vector<std::uint64_t> to1;
  for (const auto& a : *r.log) {
    if (a.envelope.message->to == 1) to1.push_back(a.envelope.message->seq);
  }
  CHECK(to1 == std::vector<std::uint64_t>{1, 3, 4, 5, 6});
  const auto bytes = static_cast<double>(push_frame_size(dtype::f32, 250));
  // Push 3 arrived when push 2 would have: right behind push 1.
  CHECK(r.log->at(2).envelope.message->seq == 3);
  CHECK(r.log->at(2).at == Approx(2 * bytes / 1e6));
  const auto st = r.transport->stats(1);
  CHECK(st.messages_sent == 6);
  CHECK(st.messages_superseded == 1);
  CHECK(st.messages_delivered == 5);
  CHECK(st.bytes_sent == static_cast<std::uint64_t>(5 * bytes));
}

TEST_CASE("a push to a peer whose link went down replaces nothing queued", "[net]") {
  rig r(2, {8e6, 0.0, 0.0, 0.0});
  r.transport->deliver(push_envelope(0, 1, 1, 250));
  r.transport->deliver(push_envelope(0, 1, 2, 250));  // queued behind push 1
  r.transport->links().set_up(0, 1, false);
  CHECK(r.transport->deliver(push_envelope(0, 1, 3, 250)) == transport_outcome::link_down);
  r.clock.advance_to(1.0);
  REQUIRE(r.log->size() == 2);
  CHECK(r.log->at(1).envelope.message->seq == 2);
  CHECK(r.transport->stats(1).messages_superseded == 0);
}

TEST_CASE("messages due within 10 us go at once, unless one is on the timer", "[net]") {
  rig r(2, {0.0, 0.0, 0.0, 0.0});  // infinite bandwidth, no latency
  CHECK(r.transport->deliver(push_envelope(0, 1, 1, 10)) == transport_outcome::delivered);
  CHECK(r.log->size() == 1);
  CHECK(r.clock.pending() == 0);

  // A slow link for one message, then fast again: the fast one, due at
  // once, waits behind the slow one instead of overtaking it.
  r.transport->links().set_link(0, 1, {0.0, 0.005, 0.0, 0.0});
  CHECK(r.transport->deliver(push_envelope(0, 1, 2, 10)) == transport_outcome::scheduled);
  r.transport->links().set_link(0, 1, {0.0, 0.0, 0.0, 0.0});
  CHECK(r.transport->deliver(push_envelope(0, 1, 3, 10)) == transport_outcome::scheduled);
  CHECK(r.log->size() == 1);
  r.clock.advance_to(0.004);
  CHECK(r.log->size() == 1);
  r.clock.advance_to(0.01);
  REQUIRE(r.log->size() == 3);
  CHECK(r.log->at(1).envelope.message->seq == 2);
  CHECK(r.log->at(2).envelope.message->seq == 3);
  CHECK(r.log->at(2).at == Approx(0.005));
  // Nothing on the timer any more: immediate again.
  CHECK(r.transport->deliver(push_envelope(0, 1, 4, 10)) == transport_outcome::delivered);
  CHECK(r.log->size() == 4);
}

TEST_CASE("loss drops about the configured fraction and counts it", "[net]") {
  rig r(2, {0.0, 0.0, 0.0, 0.25}, 0.0, 7);
  const int n = 4000;
  int lost = 0;
  for (int i = 1; i <= n; ++i) {
    if (r.transport->deliver(push_envelope(0, 1, static_cast<std::uint64_t>(i), 4)) ==
        transport_outcome::lost) {
      ++lost;
    }
  }
  r.clock.advance_to(1.0);
  CHECK(lost > n * 0.2);
  CHECK(lost < n * 0.3);
  const auto st = r.transport->stats(1);
  CHECK(st.messages_sent == static_cast<std::uint64_t>(n));
  CHECK(st.messages_lost == static_cast<std::uint64_t>(lost));
  CHECK(st.messages_delivered == static_cast<std::uint64_t>(n - lost));
  CHECK(r.log->size() == static_cast<std::size_t>(n - lost));
  // A lost message still used the link: every one is charged.
  CHECK(st.bytes_sent == n * push_frame_size(dtype::f32, 4));
}

TEST_CASE("a link down or partitioned drops, up again delivers", "[net]") {
  rig r(3, {0.0, 0.0, 0.0, 0.0});
  r.transport->links().set_up(0, 1, false);
  CHECK(r.transport->deliver(push_envelope(0, 1, 1, 4)) == transport_outcome::link_down);
  CHECK(r.transport->deliver(push_envelope(0, 2, 1, 4)) == transport_outcome::delivered);
  r.transport->links().set_up(0, 1, true);
  r.transport->links().partition({{0}, {1, 2}});
  CHECK(r.transport->deliver(push_envelope(0, 2, 2, 4)) == transport_outcome::link_down);
  r.transport->links().heal();
  CHECK(r.transport->deliver(push_envelope(0, 1, 2, 4)) == transport_outcome::delivered);
  CHECK(r.transport->stats(1).messages_dropped == 1);
  CHECK(r.transport->stats(2).messages_dropped == 1);
  CHECK(r.transport->totals().messages_delivered == 2);
  CHECK(r.log->size() == 2);
}

TEST_CASE("a node with no receiver is unknown and costs nothing", "[net]") {
  rig r(3, {0.0, 0.0, 0.0, 0.0});
  r.transport->set_receiver(2, {});
  CHECK_FALSE(r.transport->reaches(2));
  CHECK(r.transport->deliver(push_envelope(0, 2, 1, 4)) == transport_outcome::unknown_peer);
  CHECK(r.transport->deliver(push_envelope(0, 9, 1, 4)) == transport_outcome::unknown_peer);
  const auto t = r.transport->totals();
  CHECK(t.messages_sent == 2);
  CHECK(t.messages_dropped == 2);
  CHECK(t.bytes_sent == 0);
  CHECK(r.log->empty());
}

TEST_CASE("a receiver gone while a message is on the link counts it dropped", "[net]") {
  rig r(2, {0.0, 0.001, 0.0, 0.0});
  CHECK(r.transport->deliver(push_envelope(0, 1, 1, 4)) == transport_outcome::scheduled);
  r.transport->set_receiver(1, {});
  r.clock.advance_to(1.0);
  CHECK(r.log->empty());
  CHECK(r.transport->stats(1).messages_dropped == 1);
  CHECK(r.transport->stats(1).messages_delivered == 0);
}

TEST_CASE("the network duplicates about the configured fraction, later", "[net]") {
  rig r(2, {0.0, 0.001, 0.0, 0.0}, 0.5, 3);
  const int n = 1000;
  for (int i = 1; i <= n; ++i) {
    r.transport->deliver(push_envelope(0, 1, static_cast<std::uint64_t>(i), 4));
  }
  r.clock.advance_to(1.0);
  const auto st = r.transport->stats(1);
  CHECK(st.messages_duplicated > n * 0.4);
  CHECK(st.messages_duplicated < n * 0.6);
  CHECK(st.messages_delivered == n + st.messages_duplicated);
  CHECK(r.log->size() == n + st.messages_duplicated);
  // Each copy arrives after twice the delay (2 ms), the original after 1 ms.
  std::size_t late = 0;
  for (const auto& a : *r.log) {
    if (a.at == Approx(0.002)) {
      ++late;
    } else {
      CHECK(a.at == Approx(0.001));
    }
  }
  CHECK(late == st.messages_duplicated);
  // Bytes are charged once per message: the copies are the network's.
  CHECK(st.bytes_sent == n * push_frame_size(dtype::f32, 4));
}
