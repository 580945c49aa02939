// Robust push-sum by running sums: single-edge semantics (loss, duplicate,
// stale, reorder), quantized shares, and whole networks over a lossy channel.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>
#include <vector>

#include "core/bf16.hpp"
#include "core/flat_ops.hpp"
#include "core/graph_schedule.hpp"
#include "core/rng.hpp"
#include "core/running_sums.hpp"

using namespace sgp::core;

TEST_CASE("running sums: loss recovered, duplicates and stale add nothing", "[core]") {
  running_sums a(0, std::vector<double>{8.0, -4.0});
  running_sums b(1, std::vector<double>{0.0, 0.0}, 0.0);
  const std::size_t to_b[] = {1};
  const auto m1 = a.push(to_b);  // a keeps half, sends half
  REQUIRE(m1.size() == 1);
  CHECK(a.x()[0] == 4.0);
  CHECK(a.w() == 0.5);
  CHECK(m1[0].seq == 1);
  const auto m2 = a.push(to_b);  // cumulative now 4 + 2
  CHECK(m2[0].mass->to_host()[0] == 6.0);
  CHECK(m2[0].weight == 0.75);
  // m1 lost; m2 recovers it.
  CHECK(b.apply(m2[0]) == apply_outcome::applied);
  CHECK(b.x()[0] == 6.0);
  CHECK(b.w() == 0.75);
  // m1 arrives late (stale), m2 again (duplicate): nothing changes.
  CHECK(b.apply(m1[0]) == apply_outcome::stale);
  CHECK(b.apply(m2[0]) == apply_outcome::stale);
  CHECK(b.x()[0] == 6.0);
  CHECK(a.x()[0] + b.x()[0] == 8.0);
  CHECK(a.w() + b.w() == 1.0);
  // A resend carries no new mass but a new sequence.
  const auto r = a.resend(1);
  CHECK(r.seq == 3);
  CHECK(b.apply(r) == apply_outcome::applied);
  CHECK(b.x()[0] == 6.0);
  CHECK(b.applied_seq(0) == 3);
  // Misrouted and malformed messages are refused.
  auto wrong = r;
  wrong.to = 5;
  CHECK(b.apply(wrong) == apply_outcome::misrouted);
  auto bad = r;
  bad.seq = 9;
  auto longer = r.mass->to_host();
  longer.push_back(1.0);
  bad.mass = std::make_shared<const host_mass>(longer);
  CHECK(b.apply(bad) == apply_outcome::malformed);
  CHECK(a.edge_buffers() == 1);
  CHECK(b.edge_buffers() == 1);
  b.forget_peer(0);
  CHECK(b.edge_buffers() == 0);
}

TEST_CASE("running sums with bf16 shares subtract exactly the rounded share", "[core]") {
  rng gen(3);
  std::vector<double> x0(16);
  for (auto& v : x0) v = gen.uniform(-1.0, 1.0);
  running_sums a(0, x0);
  running_sums b(1, std::vector<double>(16, 0.0), 0.0);
  const std::size_t to_b[] = {1};
  for (int round = 0; round < 50; ++round) {
    const auto before = a.sent_mass(1);
    const auto x_before = a.x();
    const auto msg = a.send(to_b, 0.5, true);
    REQUIRE(msg.size() == 1);
    // The share on the wire is 0.5·x rounded to bf16 (not 0.5·x itself), up
    // to the rounding of the growing cumulative sum.
    const auto after = msg[0].mass->to_host();
    for (std::size_t c = 0; c < 16; ++c) {
      const double share = after[c] - (before.empty() ? 0.0 : before[c]);
      const double bf16 = round_to_bf16(static_cast<float>(0.5 * x_before[c]));
      CHECK(std::abs(share - bf16) <= 1e-15 * std::abs(after[c]));
    }
    if (round % 3 != 0) CHECK(b.apply(msg[0]) == apply_outcome::applied);
  }
  const auto flush = a.resend(1);
  CHECK(b.apply(flush) == apply_outcome::applied);
  for (std::size_t c = 0; c < 16; ++c) CHECK(std::abs(a.x()[c] + b.x()[c] - x0[c]) < 1e-15);
  CHECK(std::abs(a.w() + b.w() - 1.0) < 1e-15);
}

TEST_CASE("a push to several peers sends each the same share of x before the push", "[core]") {
  running_sums a(0, std::vector<double>{8.0, -4.0});
  const std::size_t peers[] = {1, 2, 3};
  const auto m = a.push(peers);
  REQUIRE(m.size() == 3);
  for (const auto& msg : m) {
    CHECK(msg.mass->to_host() == std::vector<double>{2.0, -1.0});
    CHECK(msg.weight == 0.25);
  }
  CHECK(a.x() == std::vector<double>{2.0, -1.0});
  CHECK(a.w() == 0.25);
}

TEST_CASE("a push that keeps 3/4 sends 1/8 to each of two peers, and no mass is made", "[core]") {
  running_sums a(0, std::vector<double>{8.0, -16.0}, 2.0);
  const std::size_t peers[] = {1, 2};
  const auto m = a.push(peers, false, nullptr, 0.75);
  REQUIRE(m.size() == 2);
  for (const auto& msg : m) {
    CHECK(msg.mass->to_host() == std::vector<double>{1.0, -2.0});
    CHECK(msg.weight == 0.25);
  }
  CHECK(a.x() == std::vector<double>{6.0, -12.0});
  CHECK(a.w() == 1.5);
  // A second push sends 1/8 of what is left; the cumulative sums add up.
  const auto again = a.push(peers, false, nullptr, 0.75);
  CHECK(again[0].mass->to_host() == std::vector<double>{1.75, -3.5});
  CHECK(again[0].weight == Approx(0.4375));
  CHECK(a.w() + 2 * again[0].weight == Approx(2.0));
}

namespace {

constexpr std::size_t dim = 5;

struct flight {
  std::uint64_t deliver_at;
  push_message message;
};

/// A network of running-sums nodes over a lossy, duplicating, reordering
/// channel.
struct lossy_net {
  graph_schedule schedule;
  std::vector<bool> live;
  link_mask links;
  std::vector<running_sums> nodes;
  std::vector<flight> flights;
  std::set<std::pair<std::size_t, std::size_t>> used_edges;
  rng gen;
  double drop = 0.3;
  double duplicate = 0.1;
  std::uint64_t max_delay = 3;
  std::uint64_t k = 0;

  lossy_net(graph_schedule s, std::size_t n, std::uint64_t seed)
      : schedule(s), live(all_live(n)), links(n), gen(seed) {
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> x(dim);
      for (auto& v : x) v = gen.uniform(-2.0, 5.0);
      nodes.emplace_back(i, std::move(x), 1.0);
    }
  }

  void transmit(push_message msg) {
    used_edges.insert({msg.from, msg.to});
    if (gen.uniform() < drop) return;
    if (gen.uniform() < duplicate) flights.push_back({k + gen.below(max_delay + 1), msg});
    flights.push_back({k + gen.below(max_delay + 1), std::move(msg)});
  }

  void step() {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto peers = schedule.out_peers(live, links, k, i);
      for (auto& msg : nodes[i].push(peers)) transmit(std::move(msg));
    }
    deliver();
    ++k;
  }

  void deliver() {
    std::vector<flight> later;
    for (auto& f : flights) {
      if (f.deliver_at > k) {
        later.push_back(std::move(f));
      } else {
        (void)nodes[f.message.to].apply(f.message);
      }
    }
    flights = std::move(later);
  }

  /// Per-component total: x at nodes plus (cumulative sent − last applied)
  /// on every edge; last entry: w. Accumulated in long double.
  std::vector<long double> mass() const {
    std::vector<long double> total(dim + 1, 0.0L);
    for (const auto& node : nodes) {
      for (std::size_t c = 0; c < dim; ++c) total[c] += node.x()[c];
      total[dim] += node.w();
    }
    for (const auto& [from, to] : used_edges) {
      const auto sent = nodes[from].sent_mass(to);
      const auto applied = nodes[to].applied_mass(from);
      for (std::size_t c = 0; c < dim; ++c) {
        total[c] += static_cast<long double>(sent[c]) -
                    (applied.empty() ? 0.0L : static_cast<long double>(applied[c]));
      }
      total[dim] += static_cast<long double>(nodes[from].sent_weight(to)) -
                    static_cast<long double>(nodes[to].applied_weight(from));
    }
    return total;
  }

  double max_error(const std::vector<double>& target) const {
    double worst = 0.0;
    for (const auto& node : nodes) {
      worst = std::max(worst, max_abs_diff<double>(node.debiased(), target));
    }
    return worst;
  }
};

}  // namespace

TEST_CASE("running sums conserve mass and reach consensus over a lossy channel", "[core]") {
  for (const auto kind : topology_kinds()) {
    for (const std::size_t n : {std::size_t{2}, std::size_t{5}, std::size_t{8}, std::size_t{13}}) {
      lossy_net net(graph_schedule{kind, 2}, n, 1000 + n);
      const auto initial = net.mass();
      long double scale = 0.0L;
      for (const auto& node : net.nodes) {
        for (const double v : node.x()) scale += std::abs(v);
      }
      std::vector<double> mean(dim);
      for (std::size_t c = 0; c < dim; ++c) mean[c] = static_cast<double>(initial[c]) / n;
      INFO(topology_name(kind) << " n=" << n);
      long double worst = 0.0L;
      for (int round = 0; round < 3000; ++round) {
        net.step();
        if (round % 10 != 0) continue;
        const auto now = net.mass();
        for (std::size_t c = 0; c < dim; ++c) {
          worst = std::max(worst, std::abs(now[c] - initial[c]) / scale);
        }
        worst = std::max(worst, std::abs(now[dim] - initial[dim]) / n);
      }
      CHECK(static_cast<double>(worst) < 1e-12);
      CHECK(net.max_error(mean) < 1e-6);
    }
  }
}

TEST_CASE("after the losses stop, one resend per edge leaves nothing in flight", "[core]") {
  lossy_net net(graph_schedule{topology_kind::exponential, 1}, 13, 5);
  const auto initial = net.mass();
  for (int round = 0; round < 200; ++round) net.step();
  net.drop = 0.0;
  net.duplicate = 0.0;
  net.max_delay = 0;
  for (const auto& [from, to] : net.used_edges) net.transmit(net.nodes[from].resend(to));
  net.flights.erase(std::remove_if(net.flights.begin(), net.flights.end(),
                                   [&](const flight& f) { return f.deliver_at > net.k; }),
                    net.flights.end());  // delayed copies from the lossy phase are stale anyway
  net.deliver();
  std::vector<double> total(dim, 0.0);
  double w = 0.0;
  for (const auto& node : net.nodes) {
    add<double>(node.x(), total);
    w += node.w();
  }
  for (std::size_t c = 0; c < dim; ++c) {
    CHECK(std::abs(total[c] - static_cast<double>(initial[c])) < 1e-12 * 13 * 5);
  }
  CHECK(std::abs(w - 13.0) < 1e-12);
}
