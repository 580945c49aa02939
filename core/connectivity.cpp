// Strong connectivity by one forward and one backward search.
#include "core/connectivity.hpp"

#include <sstream>

#include "core/assert.hpp"

namespace sgp::core {
namespace {

/// Number of nodes reachable from `start` along `adjacency` (itself included).
std::size_t count_reachable(const std::vector<std::vector<std::size_t>>& adjacency,
                            std::size_t start) {
  std::vector<bool> seen(adjacency.size(), false);
  std::vector<std::size_t> stack{start};
  seen[start] = true;
  std::size_t count = 1;
  while (!stack.empty()) {
    const std::size_t at = stack.back();
    stack.pop_back();
    for (const std::size_t next : adjacency[at]) {
      if (!seen[next]) {
        seen[next] = true;
        ++count;
        stack.push_back(next);
      }
    }
  }
  return count;
}

}  // namespace

bool strongly_connected(const std::vector<bool>& live, std::span<const edge> edges) {
  const std::size_t n = live.size();
  std::size_t live_count = 0;
  std::size_t first = n;
  for (std::size_t i = 0; i < n; ++i) {
    if (live[i]) {
      ++live_count;
      if (first == n) first = i;
    }
  }
  if (live_count <= 1) return true;
  std::vector<std::vector<std::size_t>> forward(n);
  std::vector<std::vector<std::size_t>> backward(n);
  for (const edge& e : edges) {
    SGP_ASSERT(e.from < n && e.to < n);
    if (!live[e.from] || !live[e.to]) continue;
    forward[e.from].push_back(e.to);
    backward[e.to].push_back(e.from);
  }
  return count_reachable(forward, first) == live_count &&
         count_reachable(backward, first) == live_count;
}

bool strongly_connected_over_window(const graph_schedule& schedule, const std::vector<bool>& live,
                                    const link_mask& links, std::uint64_t start_iteration,
                                    std::size_t window) {
  std::vector<edge> all;
  for (std::size_t k = 0; k < window; ++k) {
    const auto step = schedule.edges(live, links, start_iteration + k);
    all.insert(all.end(), step.begin(), step.end());
  }
  return strongly_connected(live, all);
}

bool strongly_connected_over_window(topology_kind kind, const std::vector<bool>& live,
                                    const link_mask& links, std::uint64_t start_iteration,
                                    std::size_t window, std::size_t peers_per_iteration) {
  return strongly_connected_over_window(graph_schedule{kind, peers_per_iteration}, live, links,
                                        start_iteration, window);
}

bool links_strongly_connected(const std::vector<bool>& live, const link_mask& links) {
  SGP_ASSERT(links.size() == live.size());
  std::vector<edge> all;
  for (std::size_t i = 0; i < live.size(); ++i) {
    for (std::size_t j = 0; j < live.size(); ++j) {
      if (i != j && links.up(i, j)) all.push_back(edge{i, j});
    }
  }
  return strongly_connected(live, all);
}

std::string topology_report(const graph_schedule& schedule, const std::vector<bool>& live,
                            const link_mask& links, std::uint64_t iteration,
                            std::uint64_t view_epoch) {
  std::ostringstream out;
  out << "topology " << topology_name(schedule.kind) << " at iteration " << iteration
      << " (view epoch " << view_epoch << "):\n";
  std::size_t live_count = 0;
  for (std::size_t i = 0; i < live.size(); ++i) {
    out << "  " << i << (live[i] ? "" : " (dead)") << " ->";
    if (live[i]) {
      ++live_count;
      for (const auto p : schedule.out_peers(live, links, iteration, i)) out << ' ' << p;
    }
    out << '\n';
  }
  const auto window = schedule.period(live_count);
  const bool connected = strongly_connected_over_window(schedule, live, links, iteration, window);
  out << "strongly connected over the next " << window
      << " iteration(s): " << (connected ? "yes" : "NO (some nodes cannot reach each other)")
      << '\n';
  return out.str();
}

}  // namespace sgp::core
