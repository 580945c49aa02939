// The bulk scheme end to end over real sockets: node 0 pushes rounded deltas
// to node 1 through one tcp_transport, node 1 acks through another, queued
// pushes supersede each other, and the mass is still exact (==) when the
// edge has drained.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>
#include <vector>

#include "core/edge_delta.hpp"
#include "core/rng.hpp"
#include "net/push_bridge.hpp"
#include "net/tcp/tcp_transport.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/push_codec.hpp"

namespace wire = sgp::net::wire;
using namespace std::chrono_literals;

namespace {

double on_grid(double v) {
  return std::floor(v * 0x1p40) * 0x1p-40;
}

}  // namespace

TEST_CASE("tcp: acked deltas with superseding queues keep mass exact", "[net]") {
  const std::size_t n = 20000;
  sgp::core::rng r(21);
  std::mutex mutex;  // guards both nodes' state (callbacks run on I/O threads)
  std::vector<double> xa(n), xb(n), initial(n);
  for (std::size_t k = 0; k < n; ++k) {
    xa[k] = on_grid(r.uniform(0.0, 1.0));
    xb[k] = on_grid(r.uniform(0.0, 1.0));
    initial[k] = xa[k] + xb[k];
  }
  double wa = 1.0, wb = 1.0;
  sgp::core::delta_sender sender(n, sgp::core::delta_precision::bf16);
  sgp::core::delta_receiver receiver(n);
  std::uint64_t applied = 0;

  std::unique_ptr<sgp::net::tcp::tcp_transport> a, b;
  // The callbacks use raw pointers: unique_ptr::reset nulls itself before
  // the destructor has stopped the I/O thread that runs them.
  sgp::net::tcp::tcp_transport* b_raw = nullptr;
  wire::frame_decoder at_a, at_b;
  sgp::net::tcp::tcp_options opt_b;
  opt_b.process = 1;
  b = std::move(sgp::net::tcp::tcp_transport::start(opt_b, [&](sgp::net::received_frame f) {
                  std::lock_guard lock(mutex);
                  auto view = wire::decode_push(at_b, wire::frame_view{f.kind, f.body});
                  if (!view.ok()) return;  // counted in at_b, checked below
                  auto decoded = sgp::net::push_from_wire(view.value());
                  if (!decoded.ok()) return;
                  const auto& [address, push] = decoded.value();
                  if (receiver.apply(push, xb, wb) == sgp::core::delta_outcome::applied) ++applied;
                  // Acks supersede each other too.
                  (void)b_raw->deliver(0, sgp::net::ack_frame(address, receiver.held_seq()));
                }).value());
  b_raw = b.get();
  sgp::net::tcp::tcp_options opt_a;
  opt_a.process = 0;
  opt_a.max_queued_bytes = 3 * (2 * n + wire::push_head_size);  // a short queue
  a = std::move(sgp::net::tcp::tcp_transport::start(opt_a, [&](sgp::net::received_frame f) {
                  std::lock_guard lock(mutex);
                  auto c = wire::decode_control(at_a, wire::frame_view{f.kind, f.body});
                  if (!c.ok()) return;  // counted in at_a, checked below
                  (void)sender.on_ack(std::get<wire::ack>(c.value()).held_seq);
                }).value());
  a->add_peer(1, "127.0.0.1", b->port());
  b->add_peer(0, "127.0.0.1", a->port());

  auto push_now = [&](std::uint64_t iteration) {
    std::lock_guard lock(mutex);
    const sgp::net::push_address address{0, 1, 0, 0, iteration};
    (void)a->deliver(1, sgp::net::push_frame(address, sender.push()));
  };
  for (std::uint64_t it = 0; it < 300; ++it) {
    {
      std::lock_guard lock(mutex);
      std::vector<double> share(n);
      for (std::size_t k = 0; k < n; ++k) {
        share[k] = on_grid(xa[k] * 0.25);
        xa[k] -= share[k];
      }
      const double sw = on_grid(wa * 0.25);
      wa -= sw;
      sender.commit(std::span<const double>(share), sw);
    }
    push_now(it);
  }
  // Keep pushing until the edge has drained: T == C on both ends.
  const auto drained = [&] {
    std::lock_guard lock(mutex);
    if (receiver.held_weight() != sender.committed_weight()) return false;
    for (std::size_t k = 0; k < n; ++k)
      if (receiver.held()[k] != sender.committed()[k]) return false;
    return true;
  };
  const auto end = std::chrono::steady_clock::now() + 20s;
  std::uint64_t it = 300;
  while (!drained() && std::chrono::steady_clock::now() < end) {
    push_now(it++);
    std::this_thread::sleep_for(2ms);
  }
  const bool ok = drained();
  const auto s = a->stats(1);
  // Stop the I/O threads before reading the state they write.
  a.reset();
  b.reset();
  REQUIRE(ok);
  for (std::size_t k = 0; k < n; ++k) REQUIRE(xa[k] + xb[k] == initial[k]);
  CHECK(wa + wb == 2.0);
  CHECK(applied > 0);
  CHECK(at_a.rejected().total() == 0);
  CHECK(at_b.rejected().total() == 0);
  INFO("pushes sent " << s.frames_sent << ", superseded " << s.superseded << ", dropped "
                      << s.dropped_full << ", applied " << applied);
  CHECK(s.max_queued_bytes <= opt_a.max_queued_bytes);
}
