// Rounded deltas against the acknowledged cumulative sum (core/edge_delta.hpp):
// outcomes, bit-for-bit agreement of both ends, and mass conserved exactly
// (==) in a network whose channel loses, duplicates and reorders messages.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <utility>
#include <variant>
#include <vector>

#include "core/edge_delta.hpp"
#include "core/rng.hpp"

using sgp::core::ack_outcome;
using sgp::core::delta_outcome;
using sgp::core::delta_precision;
using sgp::core::delta_push;
using sgp::core::delta_receiver;
using sgp::core::delta_sender;

namespace {

/// Rounds down onto the 2^-40 grid. Values on this grid with magnitude below
/// 2^12 add and subtract exactly in double, and fp32 / bf16 rounding of such
/// a value stays on the grid: so `==` on totals tests the protocol, not the
/// floating-point arithmetic.
double on_grid(double v) {
  return std::floor(v * 0x1p40) * 0x1p-40;
}

struct node {
  std::vector<double> x;
  double w = 1.0;
};

struct message {
  std::size_t from = 0;
  std::size_t to = 0;
  bool is_ack = false;
  delta_push push;         ///< !is_ack
  std::uint64_t held = 0;  ///< is_ack: the push receiver's held sequence
};

/// n nodes, every directed edge with a sender and a receiver end, and one
/// channel of messages in flight that loses, duplicates and reorders.
struct network {
  std::size_t n;
  std::size_t size;
  std::vector<node> nodes;
  std::map<std::pair<std::size_t, std::size_t>, delta_sender> senders;
  std::map<std::pair<std::size_t, std::size_t>, delta_receiver> receivers;
  std::vector<message> channel;
  std::size_t payload_bytes = 0;
  std::size_t pushes = 0;
  std::size_t applied = 0;

  network(std::size_t nodes_, std::size_t size_, delta_precision p, sgp::core::rng& r,
          std::size_t window = 4)
      : n(nodes_), size(size_) {
    for (std::size_t i = 0; i < n; ++i) {
      node nd;
      for (std::size_t k = 0; k < size; ++k) nd.x.push_back(on_grid(r.uniform(-1.0, 1.0)));
      nodes.push_back(std::move(nd));
      for (std::size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        senders.emplace(std::pair{i, j}, delta_sender(size, p, window));
        receivers.emplace(std::pair{i, j}, delta_receiver(size));
      }
    }
  }

  /// Node i moves half of its (x, w), on the grid, to j's edge and pushes.
  void share(std::size_t i, std::size_t j) {
    auto& nd = nodes[i];
    std::vector<double> s(size);
    for (std::size_t k = 0; k < size; ++k) {
      s[k] = on_grid(nd.x[k] * 0.5);
      nd.x[k] -= s[k];
    }
    const double sw = on_grid(nd.w * 0.5);
    nd.w -= sw;
    senders.at({i, j}).commit(std::span<const double>(s), sw);
    send_push(i, j);
  }

  void send_push(std::size_t i, std::size_t j) {
    auto p = senders.at({i, j}).push();
    payload_bytes += p.values->size();
    ++pushes;
    channel.push_back(message{i, j, false, std::move(p), 0});
  }

  void deliver(const message& m) {
    if (m.is_ack) {
      (void)senders.at({m.to, m.from}).on_ack(m.held);
      return;
    }
    auto& rcv = receivers.at({m.from, m.to});
    if (rcv.apply(m.push, nodes[m.to].x, nodes[m.to].w) == delta_outcome::applied) ++applied;
    channel.push_back(message{m.to, m.from, true, {}, rcv.held_seq()});
  }

  /// One random channel event: lose, duplicate or deliver a random message.
  void step_channel(sgp::core::rng& r, double loss, double dup) {
    if (channel.empty()) return;
    const std::size_t k = r.below(channel.size());
    message m = channel[k];
    const double u = r.uniform();
    if (u >= dup) {  // a duplicate stays in the channel
      channel[k] = std::move(channel.back());
      channel.pop_back();
    }
    if (u < dup || u >= dup + loss) deliver(m);
  }

  /// Exact totals: x of all nodes plus the mass in flight on every edge.
  [[nodiscard]] std::vector<double> total_mass() const {
    std::vector<double> t(size, 0.0);
    for (const auto& nd : nodes)
      for (std::size_t k = 0; k < size; ++k) t[k] += nd.x[k];
    for (const auto& [e, s] : senders) {
      const auto& rcv = receivers.at(e);
      for (std::size_t k = 0; k < size; ++k) t[k] += s.committed()[k] - rcv.held()[k];
    }
    return t;
  }
  [[nodiscard]] double total_weight() const {
    double t = 0.0;
    for (const auto& nd : nodes) t += nd.w;
    for (const auto& [e, s] : senders) t += s.committed_weight() - receivers.at(e).held_weight();
    return t;
  }
  [[nodiscard]] std::vector<double> sum_x() const {
    std::vector<double> t(size, 0.0);
    for (const auto& nd : nodes)
      for (std::size_t k = 0; k < size; ++k) t[k] += nd.x[k];
    return t;
  }

  /// A reliable, in-order channel until every edge's in-flight mass is zero.
  /// Returns the rounds it took (or `max_rounds` + 1 if it never got there).
  std::size_t flush(std::size_t max_rounds) {
    for (std::size_t round = 0; round <= max_rounds; ++round) {
      while (!channel.empty()) {
        const message m = channel.front();
        channel.erase(channel.begin());
        deliver(m);
      }
      bool quiet = true;
      for (const auto& [e, s] : senders) {
        const auto& rcv = receivers.at(e);
        for (std::size_t k = 0; k < size; ++k) quiet = quiet && s.committed()[k] == rcv.held()[k];
        quiet = quiet && s.committed_weight() == rcv.held_weight();
      }
      if (quiet) return round;
      for (const auto& [e, s] : senders) send_push(e.first, e.second);
    }
    return max_rounds + 1;
  }
};

void run_exact_mass(delta_precision p, std::uint64_t seed, double loss, double dup) {
  sgp::core::rng r(seed);
  network net(4, 64, p, r);
  const auto initial = net.sum_x();
  const double initial_w = net.total_weight();
  REQUIRE(initial_w == 4.0);
  for (int round = 0; round < 400; ++round) {
    const std::size_t i = r.below(net.n);
    std::size_t j = r.below(net.n - 1);
    if (j >= i) ++j;
    net.share(i, j);
    for (int e = 0; e < 3; ++e) net.step_channel(r, loss, dup);
    // The invariant holds after every event, not just at the end.
    REQUIRE(net.total_mass() == initial);
    REQUIRE(net.total_weight() == initial_w);
  }
  CHECK(net.applied > 0);
  CHECK(net.applied < net.pushes);  // some pushes were lost or refused
  const std::size_t rounds = net.flush(p == delta_precision::f32 ? 8 : 16);
  CHECK(rounds <= (p == delta_precision::f32 ? 8u : 16u));
  // Nothing in flight: the nodes hold all the mass, exactly.
  CHECK(net.sum_x() == initial);
  double w = 0.0;
  for (const auto& nd : net.nodes) w += nd.w;
  CHECK(w == 4.0);
  // Both ends agree on every edge's cumulative sum, bit for bit.
  for (const auto& [e, s] : net.senders) {
    const auto& rcv = net.receivers.at(e);
    CHECK(s.acked_seq() == rcv.held_seq());
    CHECK(std::memcmp(s.acked().data(), rcv.held().data(), s.size() * sizeof(double)) == 0);
  }
  // The wire carried exactly 4 (fp32) or 2 (bf16) bytes per parameter per push.
  CHECK(net.payload_bytes == net.pushes * net.size * sgp::core::delta_bytes(p));
}

/// One edge of three values, its receiver's x and w, and a share to commit.
struct small_edge {
  delta_sender s{3, delta_precision::f32};
  delta_receiver r{3};
  std::vector<double> x = std::vector<double>(3, 0.0);
  double w = 0.0;
  std::vector<double> share{1.0, -2.0, 0.5};
};

}  // namespace

TEST_CASE("edge delta: first push applies, duplicates and old bases do not", "[core]") {
  small_edge e;
  auto& [s, r, x, w, share] = e;
  s.commit(std::span<const double>(share), 0.25);
  const auto p1 = s.push();
  CHECK(p1.seq == 1);
  CHECK(p1.base == 0);
  CHECK(p1.values->size() == 12);
  CHECK(r.apply(p1, x, w) == delta_outcome::applied);
  CHECK(x == share);
  CHECK(w == 0.25);
  CHECK(r.apply(p1, x, w) == delta_outcome::stale);  // duplicate adds nothing
  CHECK(x == share);
  // A second push before the ack still has base 0: the receiver holds 1.
  s.commit(std::span<const double>(share), 0.25);
  const auto p2 = s.push();
  CHECK(p2.base == 0);
  CHECK(r.apply(p2, x, w) == delta_outcome::base_mismatch);
  CHECK(x == share);
  CHECK(s.on_ack(r.held_seq()) == ack_outcome::advanced);
  CHECK(s.pending() == 0);  // p2 can never apply now
  CHECK(s.on_ack(1) == ack_outcome::stale);
  CHECK(s.on_ack(99) == ack_outcome::unknown);
  const auto p3 = s.push();  // carries p2's mass too
  CHECK(p3.base == 1);
  CHECK(r.apply(p3, x, w) == delta_outcome::applied);
  CHECK(x == std::vector<double>{2.0, -4.0, 1.0});
  CHECK(w == 0.5);
}

/// `p` as a receiver gets it off the wire: its own copy of the bytes, so
/// the sender's payload is no longer shared (the frame was written).
delta_push off_the_wire(const delta_push& p) {
  delta_push w = p;
  w.values = std::make_shared<const std::vector<std::uint8_t>>(*p.values);
  return w;
}

TEST_CASE("edge delta: a push made before the last one's ack builds on it once it has left",
          "[core]") {
  small_edge e;
  auto& [s, r, x, w, share] = e;
  s.commit(std::span<const double>(share), 0.25);
  auto p1 = s.push();
  // Still queued (its payload shared by a frame): the next push is its
  // sibling, on the same base, as a newer push that may supersede it.
  s.commit(std::span<const double>(share), 0.25);
  auto sibling = s.push();
  CHECK(sibling.base == p1.base);
  const auto w1 = off_the_wire(p1);
  const auto w_sibling = off_the_wire(sibling);
  p1 = {};
  sibling = {};
  // Both have left: the next push builds on the newest one.
  s.commit(std::span<const double>(share), 0.25);
  const auto w3 = off_the_wire(s.push());
  CHECK(w3.base == w_sibling.seq);
  // In order, the receiver applies the first, refuses its sibling (the
  // receiver moved on) and applies the chain on it... which the sibling
  // was not: built on the refused sibling, it is refused too.
  CHECK(r.apply(w1, x, w) == delta_outcome::applied);
  CHECK(r.apply(w_sibling, x, w) == delta_outcome::base_mismatch);
  CHECK(r.apply(w3, x, w) == delta_outcome::base_mismatch);
  // Acks: 1 advances and drops the sibling's line; the repeated 1 says a
  // push was refused, so the next one starts again from 1.
  CHECK(s.on_ack(1) == ack_outcome::advanced);
  CHECK(s.pending() == 0);
  CHECK(s.on_ack(1) == ack_outcome::stale);
  const auto w4 = off_the_wire(s.push());
  CHECK(w4.base == 1);
  CHECK(r.apply(w4, x, w) == delta_outcome::applied);
  // Before w4's ack, a push that has left builds on w4 and applies.
  s.commit(std::span<const double>(share), 0.25);
  const auto w5 = off_the_wire(s.push());
  CHECK(w5.base == w4.seq);
  CHECK(r.apply(w5, x, w) == delta_outcome::applied);
  CHECK(s.on_ack(w4.seq) == ack_outcome::advanced);
  CHECK(s.pending() == 1);  // w5, built on w4
  CHECK(s.on_ack(w5.seq) == ack_outcome::advanced);
  CHECK(s.pending() == 0);
  // Everything committed arrived, and both ends agree bit for bit.
  CHECK(x == std::vector<double>{4.0, -8.0, 2.0});
  CHECK(w == 1.0);
  CHECK(std::memcmp(s.acked().data(), r.held().data(), 3 * sizeof(double)) == 0);
  // A frame still being written holds its payload, but its transport said
  // it started on the wire (no newer push can supersede it): build on it.
  s.commit(std::span<const double>(share), 0.25);
  const auto p6 = s.push();
  s.commit(std::span<const double>(share), 0.25);
  const auto p7 = s.push();
  CHECK(p7.base == p6.base);  // p6 still queued: its sibling
  REQUIRE(p7.progress);
  p7.progress->store(sgp::core::frame_progress::on_wire);
  s.commit(std::span<const double>(share), 0.25);
  const auto p8 = s.push();
  CHECK(p8.base == p7.seq);
  // A push its transport dropped (superseded in a queue) never arrives: it
  // is forgotten, with what was built on it, and never fills the window.
  const auto pending = s.pending();
  p8.progress->store(sgp::core::frame_progress::dropped);
  s.commit(std::span<const double>(share), 0.25);
  const auto p9 = s.push();
  CHECK(s.pending() == pending);  // p8 gone, p9 in
  CHECK(p9.base == p7.seq);       // beside the dropped one
  p7.progress->store(sgp::core::frame_progress::dropped);
  s.commit(std::span<const double>(share), 0.25);
  const auto p10 = s.push();
  CHECK(p10.base == p6.base);         // p7 and p9 (built on it) are gone
  CHECK(s.pending() == pending - 1);  // p6 and p10
}

TEST_CASE("edge delta: on an in-order link every push applies however late its ack", "[core]") {
  // Pushes leave at once and arrive in order; acks come back `lag` pushes
  // later. Each push builds on the one before, so none is refused (with the
  // acked base only, every push after the first within a lag would be).
  sgp::core::rng r(5);
  for (const std::size_t lag : {1u, 2u, 3u}) {
    delta_sender s(16, delta_precision::f32);
    delta_receiver rcv(16);
    std::vector<double> x(16, 0.0);
    double w = 0.0;
    std::vector<std::uint64_t> acks;
    std::size_t applied = 0;
    for (int k = 0; k < 100; ++k) {
      std::vector<double> share(16);
      // On a 2^-10 grid: every delta is an fp32, so nothing rounds and
      // everything committed arrives with the push that carries it.
      for (auto& v : share) v = std::floor(r.uniform(-1.0, 1.0) * 1024.0) / 1024.0;
      s.commit(std::span<const double>(share), 0.5);
      const auto wire = off_the_wire(s.push());
      CHECK_FALSE(wire.resent);
      if (rcv.apply(wire, x, w) == delta_outcome::applied) ++applied;
      acks.push_back(rcv.held_seq());
      if (acks.size() > lag) {
        CHECK(s.on_ack(acks.front()) == ack_outcome::advanced);
        acks.erase(acks.begin());
      }
    }
    CHECK(applied == 100);
    for (const auto a : acks) CHECK(s.on_ack(a) == ack_outcome::advanced);
    CHECK(s.pending() == 0);
    CHECK(std::memcmp(s.committed().data(), rcv.held().data(), 16 * sizeof(double)) == 0);
    CHECK(std::memcmp(s.acked().data(), rcv.held().data(), 16 * sizeof(double)) == 0);
    CHECK(w == 50.0);
  }
}

TEST_CASE("edge delta: a full window resends the newest pending push", "[core]") {
  delta_sender s(2, delta_precision::bf16, 2);
  const std::vector<double> share{1.0, 1.0};
  s.commit(std::span<const double>(share), 0.5);
  const auto a = s.push();
  const auto b = s.push();
  const auto c = s.push();
  CHECK(s.pending() == 2);
  CHECK_FALSE(b.resent);
  CHECK(c.resent);
  CHECK(c.seq == b.seq);
  CHECK(c.values == b.values);  // same bytes, no new buffer
  // No progress of its own: a queue that drops the resend must not make
  // the sender forget b, which may have arrived long ago.
  CHECK_FALSE(c.progress);
  CHECK(b.progress);
  CHECK(a.values->size() == 4);  // 2 bytes per value
}

TEST_CASE("edge delta: rounding residual is carried, not lost", "[core]") {
  // 1 + 2^-30 is not an fp32 (or bf16): the first push rounds it away and
  // later pushes deliver the rest.
  for (auto p : {delta_precision::f32, delta_precision::bf16}) {
    delta_sender s(1, p);
    delta_receiver r(1);
    std::vector<double> x(1, 0.0);
    double w = 0.0;
    const std::vector<double> share{1.0 + 0x1p-30};
    s.commit(std::span<const double>(share), 0.0);
    const auto p1 = s.push();
    REQUIRE(r.apply(p1, x, w) == delta_outcome::applied);
    CHECK(x[0] == 1.0);
    REQUIRE(s.on_ack(r.held_seq()) == ack_outcome::advanced);
    const auto p2 = s.push();
    REQUIRE(r.apply(p2, x, w) == delta_outcome::applied);
    CHECK(x[0] == share[0]);
    CHECK(r.held()[0] == s.committed()[0]);
  }
}

TEST_CASE("edge delta: huge differences saturate and the rest follows", "[core]") {
  delta_sender s(1, delta_precision::bf16);
  delta_receiver r(1);
  std::vector<double> x(1, 0.0);
  double w = 0.0;
  const std::vector<double> share{1e300};  // beyond fp32 and bf16 range
  s.commit(std::span<const double>(share), 0.0);
  const auto p1 = s.push();
  REQUIRE(r.apply(p1, x, w) == delta_outcome::applied);
  CHECK(std::isfinite(x[0]));
  CHECK(x[0] > 3e38);
  CHECK(x[0] < 1e39);
  CHECK(s.on_ack(1) == ack_outcome::advanced);
  CHECK(s.committed()[0] - s.acked()[0] > 0.0);  // still owed, still accounted
}

TEST_CASE("edge delta: malformed pushes change nothing", "[core]") {
  delta_receiver r(2);
  std::vector<double> x{5.0, 6.0};
  double w = 1.0;
  delta_sender s(2, delta_precision::f32);
  const std::vector<double> share{1.0, 1.0};
  s.commit(std::span<const double>(share), 0.5);
  auto good = s.push();
  auto bad = good;
  auto nan_values = std::make_shared<std::vector<std::uint8_t>>(*good.values);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(nan_values->data() + 4, &nan, 4);
  bad.values = nan_values;
  CHECK(r.apply(bad, x, w) == delta_outcome::malformed);
  bad = good;
  bad.count = 3;
  CHECK(r.apply(bad, x, w) == delta_outcome::malformed);
  bad = good;
  bad.weight = std::numeric_limits<double>::infinity();
  CHECK(r.apply(bad, x, w) == delta_outcome::malformed);
  CHECK(x == std::vector<double>{5.0, 6.0});
  CHECK(w == 1.0);
  CHECK(r.held_seq() == 0);
  CHECK(r.apply(good, x, w) == delta_outcome::applied);
  CHECK(r.apply(good, x, w) == delta_outcome::stale);
  CHECK(r.counters().malformed == 3);
  CHECK(r.counters().applied == 1);
  CHECK(r.counters().stale == 1);
  CHECK(r.counters().base_mismatch == 0);
}

TEST_CASE("edge delta fp32: exact mass under loss, duplicates and reordering", "[core]") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed)
    run_exact_mass(delta_precision::f32, seed, 0.3, 0.1);
}

TEST_CASE("edge delta bf16: exact mass under loss, duplicates and reordering", "[core]") {
  for (std::uint64_t seed = 11; seed <= 15; ++seed)
    run_exact_mass(delta_precision::bf16, seed, 0.3, 0.1);
}

TEST_CASE("edge delta: both ends agree bit for bit on arbitrary doubles", "[core]") {
  // Off the grid the totals round, but the protocol's own state must not:
  // the sender's C_a and the receiver's C are the same bits, and a reliable
  // channel delivers T exactly.
  sgp::core::rng r(77);
  for (auto p : {delta_precision::f32, delta_precision::bf16}) {
    delta_sender s(256, p);
    delta_receiver rcv(256);
    std::vector<double> x(256, 0.0);
    double w = 0.0;
    std::vector<std::uint64_t> lost;
    for (int round = 0; round < 200; ++round) {
      std::vector<double> share(256);
      for (auto& v : share) v = r.normal() * std::exp(r.uniform(-20.0, 20.0));
      s.commit(std::span<const double>(share), r.uniform());
      const auto push = s.push();
      if (r.uniform() < 0.3) continue;  // lost
      (void)rcv.apply(push, x, w);
      if (r.uniform() < 0.3) continue;  // ack lost
      (void)s.on_ack(rcv.held_seq());
      if (s.acked_seq() == rcv.held_seq())
        REQUIRE(std::memcmp(s.acked().data(), rcv.held().data(), 256 * sizeof(double)) == 0);
    }
    for (int k = 0; k < 16; ++k) {
      (void)rcv.apply(s.push(), x, w);
      (void)s.on_ack(rcv.held_seq());
    }
    CHECK(std::memcmp(s.committed().data(), rcv.held().data(), 256 * sizeof(double)) == 0);
    CHECK(rcv.held_weight() == s.committed_weight());
  }
}

TEST_CASE("edge delta: a model-sized edge (loops in parallel chunks) agrees bit for bit",
          "[core]") {
  // 600 000 values: above parallel_chunks' minimum chunk, so the bulk loops
  // run on several threads where the machine has them. A NaN at the end of
  // one chunk's range must still make the whole push malformed.
  constexpr std::size_t n = 600000;
  sgp::core::rng r(5);
  for (auto p : {delta_precision::f32, delta_precision::bf16}) {
    delta_sender s(n, p);
    delta_receiver rcv(n);
    std::vector<double> x(n, 0.0);
    double w = 0.0;
    std::vector<double> total(n, 0.0);
    for (int round = 0; round < 3; ++round) {
      for (auto& v : total) v += r.normal();
      s.set_committed(total, 0.5 * (round + 1));
      const auto push = s.push();
      REQUIRE(rcv.apply(push, x, w) == delta_outcome::applied);
      REQUIRE(s.on_ack(rcv.held_seq()) == ack_outcome::advanced);
      REQUIRE(std::memcmp(s.acked().data(), rcv.held().data(), n * sizeof(double)) == 0);
      REQUIRE(std::memcmp(x.data(), rcv.held().data(), n * sizeof(double)) == 0);
    }
    // One more push, and a copy of it with a NaN as its last value.
    for (auto& v : total) v += 1.0;
    s.set_committed(total, 2.0);
    auto push = s.push();
    auto bad = push;
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(*push.values);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    if (p == delta_precision::f32) {
      std::memcpy(bytes->data() + 4 * (n - 1), &nan, 4);
    } else {
      std::uint32_t bits = 0;
      std::memcpy(&bits, &nan, 4);
      const auto top = static_cast<std::uint16_t>(bits >> 16);
      std::memcpy(bytes->data() + 2 * (n - 1), &top, 2);
    }
    bad.values = bytes;
    const auto before = std::vector<double>(rcv.held().begin(), rcv.held().end());
    std::vector<double> out(n);
    CHECK(rcv.accept_into(bad, out) == delta_outcome::malformed);
    CHECK(std::memcmp(before.data(), rcv.held().data(), n * sizeof(double)) == 0);
    CHECK(rcv.accept_into(push, out) == delta_outcome::applied);
  }
}

TEST_CASE("edge delta: accept_into writes C when the push applies, borrowed bytes read in place",
          "[core]") {
  delta_sender s(4, delta_precision::f32);
  delta_receiver rcv(4);
  s.set_committed(std::vector<double>{1.0, -2.0, 0.5, 8.0}, 1.0);
  const auto owned = s.push();
  // The same push with its values borrowed (as a received frame's payload).
  delta_push borrowed = owned;
  borrowed.values = nullptr;
  borrowed.borrowed = *owned.values;
  std::vector<double> out(4, -7.0);
  REQUIRE(rcv.accept_into(borrowed, out) == delta_outcome::applied);
  CHECK(out == std::vector<double>{1.0, -2.0, 0.5, 8.0});
  CHECK(std::vector<double>(rcv.held().begin(), rcv.held().end()) == out);
  // A duplicate leaves `out` alone.
  std::vector<double> untouched(4, -7.0);
  CHECK(rcv.accept_into(owned, untouched) == delta_outcome::stale);
  CHECK(untouched == std::vector<double>(4, -7.0));
  // Neither owned nor borrowed values: malformed.
  delta_push empty = owned;
  empty.values = nullptr;
  empty.seq = 2;
  empty.base = 1;
  CHECK(rcv.accept_into(empty, untouched) == delta_outcome::malformed);
}
