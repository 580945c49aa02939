// Strong connectivity of schedules over a window: all up, with a killed node,
// and with down links repaired.
#include <catch2/catch.hpp>

#include <vector>

#include "core/connectivity.hpp"
#include "core/rng.hpp"

using namespace sgp::core;

namespace {

const std::vector<std::size_t> node_counts{1, 2, 3, 5, 8, 13, 32};

}  // namespace

TEST_CASE("strongly_connected on small graphs", "[core]") {
  const auto live = all_live(3);
  const std::vector<edge> ring{{0, 1}, {1, 2}, {2, 0}};
  const std::vector<edge> path{{0, 1}, {1, 2}};
  CHECK(strongly_connected(live, ring));
  CHECK_FALSE(strongly_connected(live, path));
  auto two = live;
  two[2] = false;
  CHECK_FALSE(strongly_connected(two, ring));  // 1 -> 0 only went through 2
  CHECK(strongly_connected(std::vector<bool>{true, false}, std::vector<edge>{}));
}

TEST_CASE("every schedule is strongly connected over one period", "[core]") {
  for (const auto kind : topology_kinds()) {
    for (const std::size_t n : node_counts) {
      for (const std::size_t peers : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
        const graph_schedule s{kind, peers};
        INFO(topology_name(kind) << " n=" << n << " peers=" << peers);
        const auto live = all_live(n);
        const link_mask links(n);
        CHECK(strongly_connected_over_window(s, live, links, 0, s.period(n)));
        CHECK(strongly_connected_over_window(kind, live, links, 5, s.period(n), peers));
      }
    }
  }
}

TEST_CASE("time-varying schedules are not connected at a single iteration", "[core]") {
  const auto live = all_live(8);
  const link_mask links(8);
  CHECK_FALSE(strongly_connected_over_window(topology_kind::exponential, live, links, 1, 1, 1));
  CHECK_FALSE(
      strongly_connected_over_window(topology_kind::bipartite_exponential, live, links, 0, 1, 1));
  CHECK(strongly_connected_over_window(topology_kind::ring, live, links, 0, 1, 1));
}

TEST_CASE("killed nodes: the schedule over the live set stays connected", "[core]") {
  rng gen(7);
  for (const auto kind : topology_kinds()) {
    for (const std::size_t n :
         {std::size_t{3}, std::size_t{5}, std::size_t{8}, std::size_t{13}, std::size_t{32}}) {
      for (int trial = 0; trial < 5; ++trial) {
        auto live = all_live(n);
        const std::size_t kills = 1 + gen.below(n / 2);
        for (std::size_t d = 0; d < kills; ++d) live[gen.below(n)] = false;
        std::size_t m = 0;
        for (const bool b : live) m += b ? 1 : 0;
        const graph_schedule s{kind, 2};
        INFO(topology_name(kind) << " n=" << n << " live=" << m);
        CHECK(strongly_connected_over_window(s, live, link_mask(n), 3, s.period(m)));
      }
    }
  }
}

TEST_CASE("repaired schedules stay connected with a few links down", "[core]") {
  // Ring is excluded: each node has a single in-neighbour, so replacing one
  // down edge by another out-edge leaves its target unreached.
  rng gen(2024);
  std::size_t checked = 0;
  for (const auto kind : topology_kinds()) {
    if (kind == topology_kind::ring) continue;
    for (const std::size_t n : {std::size_t{5}, std::size_t{8}, std::size_t{13}, std::size_t{32}}) {
      for (int trial = 0; trial < 20; ++trial) {
        auto live = all_live(n);
        if (trial % 2 == 1) live[gen.below(n)] = false;
        link_mask links(n);
        const std::size_t down = 1 + gen.below(n / 3 + 1);
        for (std::size_t d = 0; d < down; ++d) {
          const std::size_t a = gen.below(n);
          const std::size_t b = gen.below(n);
          if (a != b) links.set(a, b, false);
        }
        if (!links_strongly_connected(live, links)) continue;
        std::size_t m = 0;
        for (const bool b : live) m += b ? 1 : 0;
        const graph_schedule s{kind, 2};
        INFO(topology_name(kind) << " n=" << n << " trial=" << trial);
        CHECK(strongly_connected_over_window(s, live, links, 0, s.period(m)));
        ++checked;
      }
    }
  }
  CHECK(checked > 400);
}

TEST_CASE("linear and complete repair reach every up link: connected iff the links are", "[core]") {
  rng gen(99);
  std::size_t connected = 0;
  std::size_t disconnected = 0;
  for (const auto kind : {topology_kind::linear, topology_kind::complete}) {
    for (int trial = 0; trial < 200; ++trial) {
      const std::size_t n = 3 + gen.below(10);
      auto live = all_live(n);
      live[gen.below(n)] = false;
      link_mask links(n);
      for (std::size_t a = 0; a < n; ++a) {
        for (std::size_t b = 0; b < n; ++b) {
          if (gen.uniform() < 0.6) links.set(a, b, false);
        }
      }
      std::size_t m = 0;
      for (const bool b : live) m += b ? 1 : 0;
      const graph_schedule s{kind, 1};
      const bool possible = links_strongly_connected(live, links);
      CHECK(strongly_connected_over_window(s, live, links, 0, s.period(m)) == possible);
      (possible ? connected : disconnected) += 1;
    }
  }
  CHECK(connected > 20);
  CHECK(disconnected > 20);
}

TEST_CASE("the topology report lists out-peers and says when the graph is cut", "[core]") {
  const graph_schedule ring{topology_kind::ring, 1};
  std::vector<bool> live(3, true);
  link_mask links(3);
  const auto whole = topology_report(ring, live, links, 7, 2);
  CHECK_THAT(whole, Catch::Contains("topology ring at iteration 7 (view epoch 2):"));
  CHECK_THAT(whole, Catch::Contains("  0 -> 1\n  1 -> 2\n  2 -> 0\n"));
  CHECK_THAT(whole, Catch::Contains("iteration(s): yes"));
  // Node 2 dead: the ring closes over the live ones.
  live[2] = false;
  const auto dead = topology_report(ring, live, links, 7, 3);
  CHECK_THAT(dead, Catch::Contains("  2 (dead) ->\n"));
  CHECK_THAT(dead, Catch::Contains("iteration(s): yes"));
  // The only links between the live two down: cut.
  links.set_both(0, 1, false);
  CHECK_THAT(topology_report(ring, live, links, 7, 3),
             Catch::Contains("NO (some nodes cannot reach each other)"));
}
