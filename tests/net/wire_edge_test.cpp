// The bulk scheme (core/edge_delta.hpp) through the real codecs: pushes and
// acks encoded as frames, sent over a channel that loses, duplicates and
// reorders whole frames, decoded and applied. Mass stays exact (==) and the
// bytes on the wire are measured per parameter.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

#include "core/edge_delta.hpp"
#include "core/rng.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/push_codec.hpp"

namespace wire = sgp::net::wire;
using sgp::core::delta_precision;

namespace {

double on_grid(double v) {
  return std::floor(v * 0x1p40) * 0x1p-40;
}

struct measured {
  std::size_t push_bytes = 0;
  std::size_t ack_bytes = 0;
  std::size_t pushes = 0;
};

/// One edge a -> b, n parameters, `rounds` shares over a lossy frame channel.
measured run_edge(delta_precision p, std::size_t n, int rounds, double loss, double dup,
                  std::uint64_t seed) {
  sgp::core::rng r(seed);
  std::vector<double> xa(n), xb(n);
  for (auto& v : xa) v = on_grid(r.uniform(0.0, 1.0));
  for (auto& v : xb) v = on_grid(r.uniform(0.0, 1.0));
  std::vector<double> initial(n);
  for (std::size_t k = 0; k < n; ++k) initial[k] = xa[k] + xb[k];
  double wa = 1.0, wb = 1.0;
  sgp::core::delta_sender s(n, p);
  sgp::core::delta_receiver recv(n);
  wire::frame_decoder at_a, at_b;
  std::vector<std::vector<std::uint8_t>> to_b, to_a;  // frames in flight
  measured m;

  auto send_push = [&] {
    const auto push = s.push();
    wire::push_fields f;
    f.sender = 0;
    f.receiver = 1;
    f.seq = push.seq;
    f.base = push.base;
    f.weight = push.weight;
    f.type = p == delta_precision::f32 ? wire::dtype::f32 : wire::dtype::bf16;
    f.count = static_cast<std::uint32_t>(push.count);
    to_b.push_back(wire::encode_push(f, *push.values));
    m.push_bytes += to_b.back().size();
    ++m.pushes;
  };
  auto deliver_to_b = [&](const std::vector<std::uint8_t>& bytes) {
    auto frame = at_b.decode(bytes);
    REQUIRE(frame.ok());
    auto view = wire::decode_push(at_b, frame.value());
    REQUIRE(view.ok());
    sgp::core::delta_push push{
        view->fields.seq,
        view->fields.base,
        view->fields.weight,
        p,
        view->fields.count,
        std::make_shared<std::vector<std::uint8_t>>(view->payload.begin(), view->payload.end())};
    (void)recv.apply(push, xb, wb);
    to_a.push_back(wire::encode_control(wire::ack{1, 0, 0, 0, recv.held_seq(), 0}));
    m.ack_bytes += to_a.back().size();
  };
  auto deliver_to_a = [&](const std::vector<std::uint8_t>& bytes) {
    auto frame = at_a.decode(bytes);
    REQUIRE(frame.ok());
    auto c = wire::decode_control(at_a, frame.value());
    REQUIRE(c.ok());
    (void)s.on_ack(std::get<wire::ack>(c.value()).held_seq);
  };
  // Picks a random frame (reordering); loses it, delivers it, or delivers
  // it and keeps a copy (duplicate).
  auto step = [&](std::vector<std::vector<std::uint8_t>>& q, auto&& deliver) {
    if (q.empty()) return;
    const std::size_t k = r.below(q.size());
    const auto frame = q[k];
    const double u = r.uniform();
    if (u >= dup) {
      q[k] = std::move(q.back());
      q.pop_back();
    }
    if (u < dup || u >= dup + loss) deliver(frame);
  };

  for (int round = 0; round < rounds; ++round) {
    std::vector<double> share(n);
    for (std::size_t k = 0; k < n; ++k) {
      share[k] = on_grid(xa[k] * 0.5);
      xa[k] -= share[k];
    }
    const double sw = on_grid(wa * 0.5);
    wa -= sw;
    s.commit(std::span<const double>(share), sw);
    send_push();
    for (int e = 0; e < 2; ++e) {
      step(to_b, deliver_to_b);
      step(to_a, deliver_to_a);
    }
    // Exact at every point: x of both ends plus what is in flight.
    for (std::size_t k = 0; k < n; ++k)
      REQUIRE(xa[k] + xb[k] + (s.committed()[k] - recv.held()[k]) == initial[k]);
    REQUIRE(wa + wb + (s.committed_weight() - recv.held_weight()) == 2.0);
    // Shares flow one way in this test; b gives a's mass back only at the end.
  }
  // A reliable channel until nothing is in flight.
  auto quiet = [&] {
    bool q = recv.held_seq() == s.acked_seq() && s.committed_weight() == recv.held_weight();
    for (std::size_t k = 0; k < n; ++k) q = q && s.committed()[k] == recv.held()[k];
    return q;
  };
  for (int k = 0; k < 16 && !quiet(); ++k) {
    while (!to_b.empty() || !to_a.empty()) {
      if (!to_b.empty()) {
        deliver_to_b(to_b.front());
        to_b.erase(to_b.begin());
      }
      if (!to_a.empty()) {
        deliver_to_a(to_a.front());
        to_a.erase(to_a.begin());
      }
    }
    send_push();
  }
  while (!to_b.empty()) {
    deliver_to_b(to_b.front());
    to_b.erase(to_b.begin());
  }
  for (std::size_t k = 0; k < n; ++k) CHECK(xa[k] + xb[k] == initial[k]);
  CHECK(wa + wb == 2.0);
  CHECK(at_a.rejected().total() == 0);
  CHECK(at_b.rejected().total() == 0);
  return m;
}

}  // namespace

TEST_CASE("fp32 pushes through the codec: exact mass, 4 bytes per parameter", "[net]") {
  const std::size_t n = 4096;
  const auto m = run_edge(delta_precision::f32, n, 200, 0.25, 0.1, 9);
  const double per_push = static_cast<double>(m.push_bytes) / static_cast<double>(m.pushes);
  const double bpp = per_push / static_cast<double>(n);
  const double with_acks =
      static_cast<double>(m.push_bytes + m.ack_bytes) / static_cast<double>(m.pushes * n);
  std::printf("wire fp32: %.5f bytes/parameter per push (%.5f with acks), n=%zu\n", bpp, with_acks,
              n);
  CHECK(per_push == 4.0 * n + wire::push_head_size);  // 88 bytes of headers per push
  CHECK(with_acks < 4.05);
}

TEST_CASE("bf16 pushes through the codec: exact mass, 2 bytes per parameter", "[net]") {
  const std::size_t n = 4096;
  const auto m = run_edge(delta_precision::bf16, n, 200, 0.25, 0.1, 10);
  const double per_push = static_cast<double>(m.push_bytes) / static_cast<double>(m.pushes);
  const double with_acks =
      static_cast<double>(m.push_bytes + m.ack_bytes) / static_cast<double>(m.pushes * n);
  std::printf("wire bf16: %.5f bytes/parameter per push (%.5f with acks), n=%zu\n",
              per_push / static_cast<double>(n), with_acks, n);
  CHECK(per_push == 2.0 * n + wire::push_head_size);
  CHECK(with_acks < 2.05);
}
