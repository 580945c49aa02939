// One node's push-sum protocol, simulated over many nodes with lossy,
// duplicating, reordering delivery: mass accounting, consensus, the waits of
// SGP and OSGP, and membership changes (kill, revive).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "core/bf16.hpp"
#include "core/gossip_node.hpp"
#include "core/rng.hpp"

using namespace sgp::core;

namespace {

struct cluster {
  std::vector<gossip_node> nodes;
  std::vector<gossip_envelope> in_flight;
  rng random{11};
  double loss = 0.0;
  double duplicate = 0.0;
  double lost_weight = 0.0;  ///< weight that left with dead nodes

  cluster(std::size_t n, gossip_options options, std::size_t dim = 16) {
    auto view = membership_view::all_up(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<float> x(dim);
      for (auto& v : x) v = static_cast<float>(random.uniform(-1, 1));
      nodes.emplace_back(i, std::move(x), 1.0, options, view);
    }
  }

  /// Total weight: live nodes plus what is in flight between live nodes.
  double total_weight() const {
    double total = 0.0;
    for (const auto& a : nodes) {
      if (!a.view().live[a.id()]) continue;
      total += a.w();
      for (const auto& b : nodes) {
        if (a.id() == b.id() || !b.view().live[b.id()]) continue;
        total += a.sums().sent_weight(b.id()) - b.sums().applied_weight(a.id());
      }
    }
    return total;
  }

  /// Every ready live node steps (no gradient); then messages are delivered
  /// in random order with loss and duplicates. Blocked nodes time out after
  /// `patience` rounds without progress.
  void round() {
    const std::vector<float> zero(nodes[0].x().size(), 0.0f);
    bool stepped = false;
    for (auto& n : nodes) {
      if (!n.view().live[n.id()] || !n.ready()) continue;
      for (auto& e : n.step(zero)) in_flight.push_back(std::move(e));
      stepped = true;
    }
    std::vector<gossip_envelope> later;
    random.shuffle(std::span(in_flight));
    for (auto& e : in_flight) {
      if (random.uniform() < 0.3) {  // delayed to a later round: reordering
        later.push_back(e);
        continue;
      }
      if (random.uniform() < loss) continue;
      auto& to = nodes[e.message->to];
      // A node without mass (a rejoining process's) joins at its first push.
      if (to.w() <= 0.0) {
        to.join_from(e, 0);
      } else {
        to.receive(e);
      }
      if (random.uniform() < duplicate) to.receive(e);
    }
    in_flight = std::move(later);
    if (!stepped && in_flight.empty()) {
      for (auto& n : nodes) n.skip_wait();  // a timeout
    }
  }

  double max_distance_to(const std::vector<double>& target) const {
    double worst = 0.0;
    for (const auto& n : nodes) {
      if (!n.view().live[n.id()]) continue;
      std::vector<float> z(n.x().size());
      n.debiased(z);
      for (std::size_t i = 0; i < z.size(); ++i)
        worst = std::max(worst, std::abs(z[i] - target[i]));
    }
    return worst;
  }

  std::vector<double> weighted_mean() const {
    std::vector<double> sum(nodes[0].x().size(), 0.0);
    double w = 0.0;
    for (const auto& n : nodes) {
      if (!n.view().live[n.id()]) continue;
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += n.x()[i];
      w += n.w();
    }
    for (auto& v : sum) v /= w;
    return sum;
  }
};

gossip_options options_for(gossip_mode mode, topology_kind kind = topology_kind::exponential) {
  gossip_options o;
  o.schedule.kind = kind;
  o.mode = mode;
  o.tau = 1;
  return o;
}

}  // namespace

TEST_CASE("lossy, duplicating gossip conserves weight and reaches consensus", "[core]") {
  const auto mode = GENERATE(gossip_mode::blocking, gossip_mode::overlapped);
  const std::size_t n = GENERATE(3, 5, 8);
  cluster c(n, options_for(mode));
  c.loss = 0.3;
  c.duplicate = 0.1;
  const auto mean = c.weighted_mean();
  for (int r = 0; r < 600; ++r) {
    c.round();
    REQUIRE(c.total_weight() == Approx(static_cast<double>(n)).epsilon(1e-12));
  }
  // Deliver what is still in flight, then mix without loss.
  c.loss = 0.0;
  for (int r = 0; r < 300; ++r) c.round();
  CHECK(c.max_distance_to(mean) < 1e-4);
  std::uint64_t duplicates = 0;
  for (const auto& node : c.nodes) duplicates += node.counters().duplicate;
  CHECK(duplicates > 0);
}

TEST_CASE("blocking waits for this iteration's in-neighbours, overlapped for tau + 1 more",
          "[core]") {
  const std::uint64_t tau = GENERATE(0, 1, 3);
  auto options = options_for(gossip_mode::overlapped);
  options.tau = tau;
  SECTION("overlapped") {
    gossip_node a(0, std::vector<float>(4, 1.0f), 1.0, options, membership_view::all_up(2));
    const std::vector<float> zero(4, 0.0f);
    std::uint64_t steps = 0;
    while (a.ready() && steps < 100) {
      (void)a.step(zero);
      ++steps;
    }
    CHECK(steps == tau + 2);  // node 1 never speaks
    CHECK(a.waiting_on() == std::vector<std::size_t>{1});
    a.skip_wait();
    CHECK(a.ready());
  }
  SECTION("blocking") {
    options.mode = gossip_mode::blocking;
    gossip_node a(0, std::vector<float>(4, 1.0f), 1.0, options, membership_view::all_up(2));
    gossip_node b(1, std::vector<float>(4, 3.0f), 1.0, options, membership_view::all_up(2));
    const std::vector<float> zero(4, 0.0f);
    auto from_a = a.step(zero);
    CHECK_FALSE(a.ready());
    auto from_b = b.step(zero);
    for (auto& e : from_b) a.receive(e);
    for (auto& e : from_a) b.receive(e);
    CHECK(a.ready());
    CHECK(b.ready());
    std::vector<float> z(4);
    a.debiased(z);
    CHECK(z[0] == Approx(2.0f));
  }
}

TEST_CASE("late and out-of-order pushes are all applied", "[core]") {
  auto options = options_for(gossip_mode::overlapped);
  gossip_node a(0, std::vector<float>(2, 1.0f), 1.0, options, membership_view::all_up(2));
  gossip_node b(1, std::vector<float>(2, 0.0f), 1.0, options, membership_view::all_up(2));
  const std::vector<float> zero(2, 0.0f);
  std::vector<gossip_envelope> sent;
  for (int k = 0; k < 3; ++k) {
    for (auto& e : a.step(zero)) sent.push_back(e);
  }
  // Newest first: it carries all the mass; the older two are stale.
  CHECK(b.receive(sent[2]) == apply_outcome::applied);
  CHECK(b.receive(sent[0]) == apply_outcome::stale);
  CHECK(b.receive(sent[1]) == apply_outcome::stale);
  CHECK(a.w() + b.w() == Approx(2.0).epsilon(1e-15));
  CHECK(a.x()[0] + b.x()[0] == Approx(1.0f));
}

TEST_CASE("a killed node's mass is accounted and survivors reach consensus", "[core]") {
  cluster c(5, options_for(gossip_mode::overlapped));
  for (int r = 0; r < 20; ++r) c.round();
  // Kill node 2: what it held and what was in flight to or from it is lost.
  auto view = c.nodes[0].view();
  view.epoch += 1;
  view.live[2] = false;
  const auto& dead = c.nodes[2];
  double lost = dead.w();
  for (auto& n : c.nodes) {
    if (n.id() == 2) continue;
    lost += dead.sums().sent_weight(n.id()) - n.sums().applied_weight(2);
    lost += n.sums().sent_weight(2) - dead.sums().applied_weight(n.id());
  }
  for (auto& n : c.nodes) {
    const auto forgotten = n.set_view(view);
    if (n.id() != 2) CHECK(forgotten.size() == 1);
  }
  c.in_flight.erase(std::remove_if(c.in_flight.begin(), c.in_flight.end(),
                                   [](const gossip_envelope& e) { return e.message->to == 2; }),
                    c.in_flight.end());
  CHECK(c.total_weight() == Approx(5.0 - lost).epsilon(1e-12));
  const auto mean = c.weighted_mean();
  for (int r = 0; r < 400; ++r) {
    c.round();
    REQUIRE(c.total_weight() == Approx(5.0 - lost).epsilon(1e-12));
    for (const auto& e : c.in_flight) REQUIRE(e.message->to != 2);
  }
  // Messages from the dead node that were still in flight were rejected.
  CHECK(c.max_distance_to(c.weighted_mean()) < 1e-4);
  (void)mean;
}

TEST_CASE("a revived node takes half of a live peer's mass and rejoins", "[core]") {
  cluster c(4, options_for(gossip_mode::blocking));
  for (int r = 0; r < 10; ++r) c.round();
  auto view = c.nodes[0].view();
  view.epoch += 1;
  view.live[3] = false;
  for (auto& n : c.nodes) (void)n.set_view(view);
  c.in_flight.clear();
  const double before = c.total_weight();

  view.epoch += 1;
  view.live[3] = true;
  view.incarnation[3] += 1;
  c.nodes[3] = gossip_node(3, std::vector<float>(c.nodes[0].x().size(), 0.0f), 0.0,
                           options_for(gossip_mode::blocking), view);
  for (auto& n : c.nodes) (void)n.set_view(view);
  const double donor_w = c.nodes[1].w();
  const auto join = c.nodes[1].give(3, 0.5);
  CHECK(c.nodes[3].receive(join) == apply_outcome::applied);
  CHECK(c.nodes[3].w() == Approx(donor_w / 2));
  CHECK(c.total_weight() == Approx(before).epsilon(1e-12));
  for (int r = 0; r < 300; ++r) c.round();
  CHECK(c.total_weight() == Approx(before).epsilon(1e-12));
  CHECK(c.max_distance_to(c.weighted_mean()) < 1e-4);
}

TEST_CASE("a node readmitted without mass joins at its in-neighbours' round and converges",
          "[core]") {
  // A restarted process's node: x = 0, w = 0, a new incarnation. Blocking
  // SGP would hold a push of a round it has not reached; joining from the
  // push moves it past that round, so the share is mixed in at once.
  const auto options = options_for(gossip_mode::blocking);
  cluster c(4, options);
  for (int r = 0; r < 10; ++r) c.round();
  auto view = c.nodes[0].view();
  view.epoch += 1;
  view.live[3] = false;
  for (auto& n : c.nodes) (void)n.set_view(view);
  c.in_flight.clear();
  const double before = c.total_weight();
  const auto iteration = c.nodes[0].iteration();
  REQUIRE(iteration >= 5);

  view.epoch += 1;
  view.live[3] = true;
  view.incarnation[3] = 1234567;
  c.nodes[3] = gossip_node(3, std::vector<float>(c.nodes[0].x().size(), 0.0f), 0.0, options, view);
  for (auto& n : c.nodes) (void)n.set_view(view);
  CHECK(c.total_weight() == Approx(before).epsilon(1e-12));  // no mass made
  const std::vector<float> zero(c.nodes[0].x().size(), 0.0f);
  std::vector<gossip_envelope> to_3;
  for (std::size_t i = 0; i < 3 && to_3.empty(); ++i) {
    for (auto& e : c.nodes[i].step(zero)) {
      if (e.message->to == 3) {
        to_3.push_back(e);
      } else {
        c.in_flight.push_back(e);
      }
    }
  }
  REQUIRE(!to_3.empty());
  CHECK(to_3.front().receiver_incarnation == 1234567);
  CHECK(c.nodes[3].receive(to_3.front()) == apply_outcome::held);  // early for round 0
  c.nodes[3] = gossip_node(3, std::vector<float>(zero.size(), 0.0f), 0.0, options, view);
  CHECK(c.nodes[3].join_from(to_3.front(), 0) == apply_outcome::applied);
  CHECK(c.nodes[3].w() > 0.0);
  CHECK(c.nodes[3].iteration() == to_3.front().iteration + 1);
  CHECK(c.total_weight() == Approx(before).epsilon(1e-12));
  for (int r = 0; r < 300; ++r) c.round();
  CHECK(c.total_weight() == Approx(before).epsilon(1e-12));
  CHECK(c.max_distance_to(c.weighted_mean()) < 1e-4);
  CHECK(c.nodes[3].iteration() > iteration + 100);
}

TEST_CASE("a push addressed to an earlier incarnation of a revived node is refused", "[core]") {
  // Node 0 pushes to node 1, node 1 is killed before the push arrives and
  // revived with half of node 2's state; the old push then arrives. Applied,
  // it would add mass that the old incarnation's edge state accounted for
  // (w jumped to 27 in one reproduction without the check).
  gossip_options o = options_for(gossip_mode::overlapped);
  o.schedule.kind = topology_kind::complete;
  cluster c(3, o);
  const std::vector<float> zero(c.nodes[0].x().size(), 0.0f);
  std::vector<gossip_envelope> old_pushes;
  for (int r = 0; r < 5; ++r) {
    for (auto& e : c.nodes[0].step(zero)) {
      if (e.message->to == 1) old_pushes.push_back(e);
    }
  }
  REQUIRE(!old_pushes.empty());
  auto view = c.nodes[0].view();
  view.epoch += 1;
  view.live[1] = false;
  for (auto& n : c.nodes) (void)n.set_view(view);
  view.epoch += 1;
  view.live[1] = true;
  view.incarnation[1] += 1;
  c.nodes[1] = gossip_node(1, std::vector<float>(zero.size(), 0.0f), 0.0, o, view);
  for (auto& n : c.nodes) (void)n.set_view(view);
  CHECK(c.nodes[1].receive(c.nodes[2].give(1, 0.5)) == apply_outcome::applied);
  const double w = c.nodes[1].w();
  const auto rejected = c.nodes[1].counters().rejected;
  for (const auto& e : old_pushes) CHECK(c.nodes[1].receive(e) == apply_outcome::misrouted);
  CHECK(c.nodes[1].w() == w);
  CHECK(c.nodes[1].counters().rejected == rejected + old_pushes.size());
  // A push made after the revive is for the new incarnation and is applied.
  std::size_t applied = 0;
  for (auto& e : c.nodes[0].step(zero)) {
    if (e.message->to == 1) {
      CHECK(e.receiver_incarnation == 1);
      CHECK(c.nodes[1].receive(e) == apply_outcome::applied);
      ++applied;
    }
  }
  CHECK(applied == 1);
}

TEST_CASE("bf16 shares: the sender subtracts exactly what it sent", "[core]") {
  auto options = options_for(gossip_mode::blocking);
  options.bf16_shares = true;
  cluster c(5, options, 64);
  c.loss = 0.2;
  double x_before = 0.0;
  for (const auto& n : c.nodes) {
    for (const float v : n.x()) x_before += v;
  }
  for (int r = 0; r < 200; ++r) {
    c.round();
    REQUIRE(c.total_weight() == Approx(5.0).epsilon(1e-12));
  }
  c.loss = 0.0;
  for (int r = 0; r < 300; ++r) c.round();
  double x_after = 0.0;
  for (const auto& n : c.nodes) {
    for (const float v : n.x()) x_after += v;
  }
  for (const auto& a : c.nodes) {
    for (const auto& b : c.nodes) {
      if (a.id() == b.id()) continue;
      const auto sent = a.sums().sent_mass(b.id());
      const auto applied = b.sums().applied_mass(a.id());
      for (std::size_t i = 0; i < sent.size(); ++i) {
        x_after += sent[i] - (applied.empty() ? 0.0 : applied[i]);
      }
    }
  }
  // Mass is conserved up to float rounding of x itself, not bf16's 2^-8.
  CHECK(x_after == Approx(x_before).margin(1e-3));
  // Rounded shares keep perturbing the values by up to half a bf16 ulp
  // (2^-9 for |x| <= 1), so consensus holds to a few bf16 ulps only.
  CHECK(c.max_distance_to(c.weighted_mean()) < 0x1p-7);
}

TEST_CASE("round_to_bf16 rounds to nearest even and keeps specials", "[core]") {
  CHECK(sgp::core::round_to_bf16(1.0f) == 1.0f);
  CHECK(sgp::core::round_to_bf16(1.00390625f) == 1.0f);       // halfway: ties to even
  CHECK(sgp::core::round_to_bf16(1.01171875f) == 1.015625f);  // halfway: ties to even (up)
  CHECK(sgp::core::round_to_bf16(1.005f) == 1.0078125f);
  CHECK(std::isinf(sgp::core::round_to_bf16(std::numeric_limits<float>::infinity())));
  CHECK(std::isnan(sgp::core::round_to_bf16(std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("a resend brings a lost push's mass at once, and only to an out-neighbour", "[core]") {
  // Blocking SGP over two nodes: a's push of round 0 to b is lost; b's
  // wait for it expires; a sends the edge's sums again. b then holds
  // exactly what it would have had with the push delivered.
  auto options = options_for(gossip_mode::blocking);
  const std::vector<float> zero(2, 0.0f);
  auto make = [&](std::size_t id, float v) {
    return gossip_node(id, std::vector<float>(2, v), 1.0, options, membership_view::all_up(2));
  };
  auto a = make(0, 1.0f);
  auto b = make(1, 3.0f);
  auto a_ref = make(0, 1.0f);
  auto b_ref = make(1, 3.0f);
  CHECK(a.resend(1).empty());  // nothing sent on the edge yet
  const auto lost = a.step(zero);
  REQUIRE(lost.size() == 1);
  for (auto& e : b.step(zero)) CHECK(a.receive(e) == apply_outcome::applied);
  const auto delivered = a_ref.step(zero);
  for (auto& e : b_ref.step(zero)) CHECK(a_ref.receive(e) == apply_outcome::applied);
  for (const auto& e : delivered) CHECK(b_ref.receive(e) == apply_outcome::applied);
  CHECK_FALSE(b.ready());  // waits for a's round 0
  CHECK(b.waiting_on() == std::vector<std::size_t>{0});
  b.skip_wait();

  CHECK(a.resend(0).empty());  // not to itself
  const auto again = a.resend(1);
  REQUIRE(again.size() == 1);
  CHECK(again[0].message->to == 1);
  CHECK(again[0].round == lost[0].round);
  CHECK(b.receive(again[0]) == apply_outcome::applied);
  CHECK(b.w() == b_ref.w());
  CHECK(b.x() == b_ref.x());
  CHECK(a.w() + b.w() == 2.0);
  // The lost push, late after all, is stale now; a second resend moves no mass.
  CHECK(b.receive(lost[0]) == apply_outcome::stale);
  const double w = b.w();
  CHECK(b.receive(a.resend(1).front()) == apply_outcome::applied);
  CHECK(b.w() == w);
  CHECK(b.x() == b_ref.x());
}

TEST_CASE("a resend made after the sender moved on stands in for the lost push", "[core]") {
  // Blocking SGP over four nodes: node 0's round-0 push to p is lost. Node 0
  // has its own round-0 shares, steps on and pushes round 1 elsewhere; p
  // still waits for round 0. The resend, made now, carries the edge's sums
  // through round 0 and is tagged with that round: p mixes it in at once
  // (not held as an early share of round 1) and holds what it would have
  // held had the push arrived.
  auto options = options_for(gossip_mode::blocking);
  const std::vector<float> zero(2, 0.0f);
  auto group = [&] {
    std::vector<gossip_node> g;
    for (std::size_t i = 0; i < 4; ++i) {
      g.emplace_back(i, std::vector<float>(2, static_cast<float>(i + 1)), 1.0, options,
                     membership_view::all_up(4));
    }
    return g;
  };
  auto lossy = group();
  auto ref = group();
  std::vector<gossip_envelope> sent;
  std::vector<gossip_envelope> sent_ref;
  for (std::size_t i = 0; i < 4; ++i) {
    for (auto& e : lossy[i].step(zero)) sent.push_back(std::move(e));
    for (auto& e : ref[i].step(zero)) sent_ref.push_back(std::move(e));
  }
  REQUIRE(sent.front().message->from == 0);
  const auto lost = sent.front();
  const std::size_t p = lost.message->to;
  for (std::size_t k = 1; k < sent.size(); ++k) {
    CHECK(lossy[sent[k].message->to].receive(sent[k]) == apply_outcome::applied);
  }
  for (const auto& e : sent_ref) {
    CHECK(ref[e.message->to].receive(e) == apply_outcome::applied);
  }
  REQUIRE(lossy[0].ready());
  const auto next = lossy[0].step(zero);  // round 1, to another peer
  REQUIRE(next.size() == 1);
  REQUIRE(next.front().message->to != p);
  CHECK_FALSE(lossy[p].ready());
  CHECK(lossy[p].waiting_on() == std::vector<std::size_t>{0});

  const auto again = lossy[0].resend(p);
  REQUIRE(again.size() == 1);
  CHECK(again.front().round == lost.round);
  CHECK(again.front().iteration == lost.iteration);
  CHECK(lossy[p].receive(again.front()) == apply_outcome::applied);
  CHECK(lossy[p].ready());
  CHECK(lossy[p].w() == ref[p].w());
  CHECK(lossy[p].x() == ref[p].x());
}

TEST_CASE("a resend is empty for a dead peer or from a dead node", "[core]") {
  auto options = options_for(gossip_mode::blocking);
  const std::vector<float> zero(2, 0.0f);
  gossip_node a(0, std::vector<float>(2, 1.0f), 1.0, options, membership_view::all_up(3));
  (void)a.step(zero);  // round 0 goes to node 1 (exponential: +1)
  REQUIRE(a.resend(1).size() == 1);
  CHECK(a.resend(2).empty());  // never an out-neighbour
  auto view = membership_view::all_up(3);
  view.epoch = 1;
  view.live[1] = false;
  (void)a.set_view(view);
  CHECK(a.resend(1).empty());
  view.epoch = 2;
  view.live[0] = false;
  (void)a.set_view(view);
  CHECK(a.resend(2).empty());
}
