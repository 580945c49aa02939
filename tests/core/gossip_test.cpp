// Push-sum gossip over every schedule: mass conservation (with delayed
// messages in flight), consensus, and consensus among survivors of a kill.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/connectivity.hpp"
#include "core/flat_ops.hpp"
#include "core/graph_schedule.hpp"
#include "core/push_sum.hpp"
#include "core/rng.hpp"

using namespace sgp::core;

namespace {

const std::vector<std::size_t> node_counts{1, 2, 3, 5, 8, 13, 32};
constexpr std::size_t dim = 6;

struct flight {
  std::size_t to;
  std::uint64_t deliver_at;
  push_share<double> share;
};

/// Nodes with random x (w = 1) gossiping over a schedule; shares are
/// delivered after a random delay of up to `max_delay` iterations.
struct gossip_sim {
  graph_schedule schedule;
  std::vector<bool> live;
  link_mask links;
  std::vector<push_sum_state<double>> nodes;
  std::vector<flight> flights;
  rng gen;
  std::uint64_t max_delay = 0;
  std::uint64_t k = 0;

  gossip_sim(graph_schedule s, std::size_t n, std::uint64_t seed)
      : schedule(s), live(all_live(n)), links(n), gen(seed) {
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> x(dim);
      for (auto& v : x) v = gen.uniform(-1.0, 3.0);
      nodes.emplace_back(std::move(x), 1.0);
    }
  }

  void step() {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (!live[i]) continue;
      const auto peers = schedule.out_peers(live, links, k, i);
      const auto share = nodes[i].make_share(peers.size());
      for (const std::size_t j : peers) {
        flights.push_back({j, k + (max_delay == 0 ? 0 : gen.below(max_delay + 1)), share});
      }
    }
    std::vector<flight> later;
    for (auto& f : flights) {
      if (f.deliver_at > k) {
        later.push_back(std::move(f));
      } else if (live[f.to]) {  // a dead node's messages are lost
        nodes[f.to].receive(f.share);
      }
    }
    flights = std::move(later);
    ++k;
  }

  /// Per-component sum of x over live nodes plus in flight; last entry: w.
  std::vector<double> mass() const {
    std::vector<double> total(dim + 1, 0.0);
    auto add_state = [&](std::span<const double> x, double w) {
      for (std::size_t c = 0; c < dim; ++c) total[c] += x[c];
      total[dim] += w;
    };
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (live[i]) add_state(nodes[i].x(), nodes[i].w());
    }
    for (const auto& f : flights) add_state(f.share.x, f.share.w);
    return total;
  }

  /// max over live nodes and components of |z_i − target|.
  double max_error(const std::vector<double>& target) const {
    double worst = 0.0;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (!live[i]) continue;
      worst = std::max(worst, max_abs_diff<double>(nodes[i].debiased(), target));
    }
    return worst;
  }
};

}  // namespace

TEST_CASE("push-sum conserves mass on every schedule, with messages in flight", "[core]") {
  for (const auto kind : topology_kinds()) {
    for (const std::size_t n : node_counts) {
      for (const std::uint64_t delay : {std::uint64_t{0}, std::uint64_t{3}}) {
        gossip_sim sim(graph_schedule{kind, 2}, n, 11 * n + delay);
        sim.max_delay = delay;
        const auto initial = sim.mass();
        CHECK(initial[dim] == Approx(static_cast<double>(n)));
        INFO(topology_name(kind) << " n=" << n << " delay=" << delay);
        double worst = 0.0;
        for (int round = 0; round < 60; ++round) {
          sim.step();
          const auto now = sim.mass();
          for (std::size_t c = 0; c <= dim; ++c) {
            worst = std::max(worst, std::abs(now[c] - initial[c]) / (4.0 * n));
          }
        }
        CHECK(worst < 1e-13);
      }
    }
  }
}

TEST_CASE("pure mixing reaches consensus on every strongly connected schedule", "[core]") {
  for (const auto kind : topology_kinds()) {
    for (const std::size_t n : node_counts) {
      const graph_schedule s{kind, 2};
      INFO(topology_name(kind) << " n=" << n);
      // Every schedule here is strongly connected over one period.
      REQUIRE(strongly_connected_over_window(s, all_live(n), link_mask(n), 0, s.period(n)));
      gossip_sim sim(s, n, 5 + n);
      std::vector<double> mean = sim.mass();
      mean.pop_back();
      for (auto& v : mean) v /= static_cast<double>(n);
      int rounds = 0;
      while (sim.max_error(mean) >= 1e-6 && rounds < 20000) {
        sim.step();
        ++rounds;
      }
      CHECK(sim.max_error(mean) < 1e-6);
    }
  }
}

TEST_CASE("bounded delays (OSGP-like) still reach consensus", "[core]") {
  for (const auto kind : {topology_kind::exponential, topology_kind::npeer_exponential,
                          topology_kind::bipartite_linear}) {
    const std::size_t n = 13;
    gossip_sim sim(graph_schedule{kind, 2}, n, 77);
    sim.max_delay = 2;
    std::vector<double> mean = sim.mass();
    mean.pop_back();
    for (auto& v : mean) v /= static_cast<double>(n);
    for (int round = 0; round < 3000; ++round) sim.step();
    // Drain what is still in flight, without new pushes.
    for (auto& f : sim.flights) sim.nodes[f.to].receive(f.share);
    sim.flights.clear();
    INFO(topology_name(kind));
    CHECK(sim.max_error(mean) < 1e-6);
  }
}

TEST_CASE("after a kill, survivors reach consensus over the live set", "[core]") {
  for (const auto kind : topology_kinds()) {
    const std::size_t n = 13;
    gossip_sim sim(graph_schedule{kind, 1}, n, 123);
    for (int round = 0; round < 10; ++round) sim.step();
    sim.live[4] = false;
    sim.live[9] = false;
    INFO(topology_name(kind));
    REQUIRE(strongly_connected_over_window(sim.schedule, sim.live, sim.links, sim.k,
                                           sim.schedule.period(n - 2)));
    for (int round = 0; round < 6000; ++round) sim.step();
    // Consensus: every live z equals the survivors' weighted average.
    const auto m = sim.mass();
    std::vector<double> target(dim);
    for (std::size_t c = 0; c < dim; ++c) target[c] = m[c] / m[dim];
    CHECK(sim.max_error(target) < 1e-6);
    CHECK(m[dim] < static_cast<double>(n));  // the dead took some weight
  }
}
