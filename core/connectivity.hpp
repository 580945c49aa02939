// Strong connectivity checks: of an edge set over the live nodes, of a
// schedule's edges united over a window of iterations, and of the up links
// themselves (the best any repair can reach).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/graph_schedule.hpp"
#include "core/link_mask.hpp"

namespace sgp::core {

/// Is the directed graph on the live nodes with these edges strongly
/// connected? Dead nodes are ignored (edges touching them are too). Zero or
/// one live node counts as connected.
[[nodiscard]] bool strongly_connected(const std::vector<bool>& live, std::span<const edge> edges);

/// Is the union of the schedule's edges over iterations
/// start_iteration .. start_iteration + window − 1 strongly connected over
/// the live nodes? (window = schedule.period(live count) covers one period.)
[[nodiscard]] bool strongly_connected_over_window(const graph_schedule& schedule,
                                                  const std::vector<bool>& live,
                                                  const link_mask& links,
                                                  std::uint64_t start_iteration,
                                                  std::size_t window);

/// Same, spelled with the kind and peers per iteration.
[[nodiscard]] bool strongly_connected_over_window(topology_kind kind, const std::vector<bool>& live,
                                                  const link_mask& links,
                                                  std::uint64_t start_iteration, std::size_t window,
                                                  std::size_t peers_per_iteration);

/// Are the up links among live nodes strongly connected? When they are not,
/// no schedule or repair can be.
[[nodiscard]] bool links_strongly_connected(const std::vector<bool>& live, const link_mask& links);

/// The console's `topology` answer: every node's out-peers at `iteration`
/// over the live nodes and the links up, and whether that schedule is
/// strongly connected over its window from there (one process's
/// supervisor and a cluster process, each over its own view).
[[nodiscard]] std::string topology_report(const graph_schedule& schedule,
                                          const std::vector<bool>& live, const link_mask& links,
                                          std::uint64_t iteration, std::uint64_t view_epoch);

}  // namespace sgp::core
