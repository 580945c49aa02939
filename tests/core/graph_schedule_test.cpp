// Graph schedules: names, known peers, degrees, in/out consistency, periods,
// bipartite structure, and repair around dead nodes and down links.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "core/graph_schedule.hpp"
#include "core/rng.hpp"

using namespace sgp::core;

namespace {

const std::vector<std::size_t> node_counts{1, 2, 3, 5, 8, 13, 32};

std::size_t ceil_log2(std::size_t m) {
  std::size_t l = 0;
  while ((std::size_t{1} << l) < m) ++l;
  return l;
}

bool is_reference_book(topology_kind kind) {
  return kind == topology_kind::dynamic_directed_exponential ||
         kind == topology_kind::npeer_dynamic_directed_exponential ||
         kind == topology_kind::dynamic_directed_linear ||
         kind == topology_kind::dynamic_bipartite_linear;
}

/// Node `node`'s single out-peer for rounds 0 .. count-1.
std::vector<std::size_t> peer_sequence(const graph_schedule& s, std::size_t n, std::size_t node,
                                       std::uint64_t count) {
  std::vector<std::size_t> out;
  for (std::uint64_t k = 0; k < count; ++k) {
    const auto peers = s.out_peers(all_live(n), link_mask(n), k, node);
    out.insert(out.end(), peers.begin(), peers.end());
  }
  return out;
}

}  // namespace

TEST_CASE("the reference's graph type 0 alternates +2^i and -2^i", "[core]") {
  const graph_schedule s{topology_kind::dynamic_directed_exponential, 1};
  // n = 8: book +1, -1, +2, -2, +4, -4 (the last two are the same peer).
  CHECK(peer_sequence(s, 8, 0, 7) == std::vector<std::size_t>{1, 7, 2, 6, 4, 4, 1});
  CHECK(peer_sequence(s, 8, 3, 6) == std::vector<std::size_t>{4, 2, 5, 1, 7, 7});
  CHECK(s.period(8) == 6);
  // n = 5: 2^i <= 4, so +1, -1, +2, -2, +4, -4.
  CHECK(peer_sequence(s, 5, 0, 6) == std::vector<std::size_t>{1, 4, 2, 3, 4, 1});
  // Two peers take two consecutive entries and rotate by two.
  const graph_schedule two{topology_kind::dynamic_directed_exponential, 2};
  CHECK(two.out_peers(all_live(8), link_mask(8), 0, 0) == std::vector<std::size_t>{1, 7});
  CHECK(two.out_peers(all_live(8), link_mask(8), 1, 0) == std::vector<std::size_t>{2, 6});
  CHECK(two.period(8) == 3);
}

TEST_CASE("the reference's n-peer exponential uses powers of peers + 1", "[core]") {
  const graph_schedule s{topology_kind::npeer_dynamic_directed_exponential, 2};
  // n = 9, c = 2: distances 1, 2 (3^0), 3, 6 (3^1); 9 > 8 ends the book.
  const auto live = all_live(9);
  const link_mask links(9);
  CHECK(s.out_peers(live, links, 0, 0) == std::vector<std::size_t>{1, 2});
  CHECK(s.out_peers(live, links, 1, 0) == std::vector<std::size_t>{3, 6});
  CHECK(s.out_peers(live, links, 2, 4) == std::vector<std::size_t>{5, 6});
  CHECK(s.period(9) == 2);
  // One peer: the same as `exponential`.
  const graph_schedule one{topology_kind::npeer_dynamic_directed_exponential, 1};
  const graph_schedule exponential{topology_kind::exponential, 1};
  for (const std::size_t n : node_counts) {
    for (std::uint64_t k = 0; k < 12; ++k) {
      CHECK(one.edges(all_live(n), link_mask(n), k) ==
            exponential.edges(all_live(n), link_mask(n), k));
    }
  }
}

TEST_CASE("the reference's linear graphs use odd offsets, forward and back", "[core]") {
  for (const auto kind :
       {topology_kind::dynamic_directed_linear, topology_kind::dynamic_bipartite_linear}) {
    const graph_schedule s{kind, 1};
    INFO(topology_name(kind));
    // n = 6: +1, -1, +3, -3, +5, -5.
    CHECK(peer_sequence(s, 6, 0, 6) == std::vector<std::size_t>{1, 5, 3, 3, 5, 1});
    CHECK(s.period(6) == 6);
    // Even n: every edge joins an even and an odd node (bipartite).
    for (std::uint64_t k = 0; k < 8; ++k) {
      for (const auto& e : s.edges(all_live(8), link_mask(8), k)) CHECK(e.from % 2 != e.to % 2);
    }
  }
}

TEST_CASE("topology names parse and round-trip", "[core]") {
  const auto names = topology_names();
  REQUIRE(names.size() == 11);
  for (const auto kind : topology_kinds()) {
    const auto parsed = parse_topology(std::string(topology_name(kind)));
    REQUIRE(parsed.ok());
    CHECK(*parsed == kind);
  }
  const auto bad = parse_topology("hypercube");
  REQUIRE_FALSE(bad.ok());
  for (const auto& name : names) CHECK(bad.err().message.find(name) != std::string::npos);
}

TEST_CASE("exponential peers are i + 2^(k mod ceil(log2 n))", "[core]") {
  const graph_schedule s{topology_kind::exponential, 1};
  const auto live = all_live(8);
  const link_mask links(8);
  CHECK(s.out_peers(live, links, 0, 0) == std::vector<std::size_t>{1});
  CHECK(s.out_peers(live, links, 1, 0) == std::vector<std::size_t>{2});
  CHECK(s.out_peers(live, links, 2, 6) == std::vector<std::size_t>{2});
  CHECK(s.out_peers(live, links, 3, 0) == std::vector<std::size_t>{1});
  CHECK(s.in_peers(live, links, 2, 2) == std::vector<std::size_t>{6});
  CHECK(s.period(8) == 3);
  // n = 5: offsets 1, 2, 4.
  const auto live5 = all_live(5);
  CHECK(s.out_peers(live5, link_mask(5), 2, 3) == std::vector<std::size_t>{2});
  CHECK(s.period(5) == 3);
  // One node: no peers; two nodes: each other.
  CHECK(s.out_peers(all_live(1), link_mask(1), 0, 0).empty());
  CHECK(s.out_peers(all_live(2), link_mask(2), 7, 1) == std::vector<std::size_t>{0});
}

TEST_CASE("schedules work over the ordered live set", "[core]") {
  const graph_schedule s{topology_kind::exponential, 1};
  auto live = all_live(8);
  live[3] = false;  // live list 0 1 2 4 5 6 7, m = 7, offsets 1 2 4
  const link_mask links(8);
  CHECK(s.out_peers(live, links, 0, 2) == std::vector<std::size_t>{4});
  CHECK(s.out_peers(live, links, 2, 2) == std::vector<std::size_t>{7});
  CHECK(s.out_peers(live, links, 0, 3).empty());
  CHECK(s.in_peers(live, links, 0, 3).empty());
}

TEST_CASE("npeer-exponential uses consecutive powers of two", "[core]") {
  const graph_schedule s{topology_kind::npeer_exponential, 2};
  const auto live = all_live(16);  // L = 4
  const link_mask links(16);
  CHECK(s.out_peers(live, links, 0, 0) == std::vector<std::size_t>{1, 2});
  CHECK(s.out_peers(live, links, 1, 0) == std::vector<std::size_t>{4, 8});
  CHECK(s.out_peers(live, links, 2, 0) == std::vector<std::size_t>{1, 2});
  CHECK(s.period(16) == 2);
  const graph_schedule many{topology_kind::npeer_exponential, 10};
  CHECK(many.out_peers(live, links, 0, 0).size() == 4);  // clamped to L
}

TEST_CASE("degrees, in/out consistency and periodicity of every schedule", "[core]") {
  for (const auto kind : topology_kinds()) {
    for (const std::size_t n : node_counts) {
      for (const std::size_t peers : {std::size_t{1}, std::size_t{2}}) {
        const graph_schedule s{kind, peers};
        const auto live = all_live(n);
        const link_mask links(n);
        const std::size_t period = s.period(n);
        INFO(topology_name(kind) << " n=" << n << " peers=" << peers);
        for (std::uint64_t k = 0; k < 2 * period + 3; ++k) {
          const auto edges = s.edges(live, links, k);
          CHECK(edges == s.edges(live, links, k + period));
          for (std::size_t i = 0; i < n; ++i) {
            const auto out = s.out_peers(live, links, k, i);
            std::size_t expected = n == 1 ? 0 : 1;
            if (kind == topology_kind::complete) expected = n - 1;
            if (kind == topology_kind::npeer_exponential && n > 1) {
              expected = std::min(peers, ceil_log2(n));
            }
            if (is_reference_book(kind) && n > 1) expected = std::min(peers, n - 1);
            CHECK(out.size() == expected);
            for (const std::size_t j : out) {
              CHECK(j != i);
              CHECK(j < n);
              const auto in = s.in_peers(live, links, k, j);
              CHECK(std::find(in.begin(), in.end(), i) != in.end());
            }
            auto sorted = out;
            std::sort(sorted.begin(), sorted.end());
            CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
          }
        }
      }
    }
  }
}

TEST_CASE("bipartite schedules only cross groups and even n pairs symmetrically", "[core]") {
  for (const auto kind : {topology_kind::bipartite_exponential, topology_kind::bipartite_linear}) {
    for (const std::size_t n : node_counts) {
      const graph_schedule s{kind, 1};
      const auto live = all_live(n);
      const link_mask links(n);
      INFO(topology_name(kind) << " n=" << n);
      for (std::uint64_t k = 0; k < 2 * s.period(n); ++k) {
        const auto edges = s.edges(live, links, k);
        for (const auto& e : edges) {
          CHECK(e.from % 2 != e.to % 2);
          if (n % 2 == 0) {
            CHECK(std::find(edges.begin(), edges.end(), edge{e.to, e.from}) != edges.end());
          }
        }
      }
    }
  }
}

TEST_CASE("repair never uses a dead node or a down link", "[core]") {
  rng gen(42);
  for (const auto kind : topology_kinds()) {
    for (const std::size_t n : {std::size_t{5}, std::size_t{8}, std::size_t{13}}) {
      for (int trial = 0; trial < 10; ++trial) {
        auto live = all_live(n);
        live[gen.below(n)] = false;
        link_mask links(n);
        for (std::size_t d = 0; d < n; ++d) links.set(gen.below(n), gen.below(n), false);
        const graph_schedule s{kind, 2};
        for (std::uint64_t k = 0; k < 8; ++k) {
          for (const auto& e : s.edges(live, links, k)) {
            CHECK(live[e.from]);
            CHECK(live[e.to]);
            CHECK(links.up(e.from, e.to));
          }
        }
      }
    }
  }
}

TEST_CASE("repair replaces a down edge by the next live peer with an up link", "[core]") {
  const graph_schedule s{topology_kind::exponential, 1};
  const auto live = all_live(8);
  link_mask links(8);
  links.set(0, 1, false);
  CHECK(s.out_peers(live, links, 0, 0) == std::vector<std::size_t>{2});
  links.set(0, 2, false);
  CHECK(s.out_peers(live, links, 0, 0) == std::vector<std::size_t>{3});
  for (std::size_t j = 1; j < 8; ++j) links.set(0, j, false);
  CHECK(s.out_peers(live, links, 0, 0).empty());
  // Bipartite repair stays in the other group.
  const graph_schedule b{topology_kind::bipartite_exponential, 1};
  link_mask blinks(8);
  blinks.set(0, 1, false);
  CHECK(b.out_peers(live, blinks, 0, 0) == std::vector<std::size_t>{3});
}
