// Gossip graph schedules (docs/design.md §1): pure functions of the live set, the
// link mask, the iteration and the peers per iteration, giving each node its
// out-neighbours (whom to push to) and in-neighbours (whom to wait for).
//
// Every schedule works over the ordered list of live nodes: with m live nodes,
// the live node of rank r (0-based position in increasing id order) is
// "position r", and offsets wrap modulo m. Any m >= 1 works; m = 1 has no peers.
//
//   exponential            1 peer: r + 2^(k mod L), L = ceil(log2 m).
//   npeer-exponential      c = min(peers, L) peers: r + 2^((k·c + j) mod L),
//                          j < c (consecutive powers of two, rotating).
//   linear                 1 peer: r + 1 + (k mod (m−1)) (directed linear).
//   ring                   1 peer: r + 1.
//   complete               every other live node.
//   bipartite-exponential  group A = even positions, B = odd positions; the
//   bipartite-linear       node of index q in its group (q = r / 2) pushes to
//                          the other group: A q -> B (q + s) mod |B| and
//                          B q -> A (q − s) mod |A|, with the shift s cycling
//                          through {0, 1, 2, 4, ...} (< |A|) for exponential and
//                          {0, 1, ..., |A|−1} for linear. With m even every
//                          iteration is a perfect matching used in both
//                          directions (what d-psgd needs). With m odd the odd
//                          node out (the last position) joins group A, so one
//                          B node receives from two A nodes at an iteration.
//
// peers_per_iteration only matters for npeer-exponential and the reference's
// graphs below.
//
// The reference code's graphs (facebookresearch/stochastic_gradient_push,
// gossip/graph_manager.py) give each rank a "phone book" of offsets and use
// c = peers_per_iteration consecutive entries per round, rotating by c:
// round k uses entries (k·c + j) mod len, j < c. Offsets as the reference
// builds them (duplicates kept: it never removes one), with L = ⌊log2(m−1)⌋:
//   dynamic-directed-exponential        (DynamicDirectedExponentialGraph,
//       graph type 0): +2^0, −2^0, +2^1, −2^1, ..., +2^L, −2^L.
//   npeer-dynamic-directed-exponential  (NPeerDynamicDirectedExponentialGraph,
//       type 5): j·(c+1)^i for i = 0..⌊log_(c+1)(m−1)⌋, j = 1..c. With c = 1
//       this is `exponential`.
//   dynamic-directed-linear             (DynamicDirectedLinearGraph, type 2):
//       +i, −i for odd i < m.
//   dynamic-bipartite-linear            (DynamicBipartiteLinearGraph, type 3):
//       for even m the reference's book is that of dynamic-directed-linear
//       (odd offsets cross between even and odd ranks); for odd m the
//       reference leaves some ranks without peers, so it is
//       dynamic-directed-linear there too.
// A target that is the node itself or already chosen this round goes
// through the repair below (the next position), so a node always has
// min(c, m − 1) distinct peers.
//
// Repair: a scheduled edge r -> t whose link is down is replaced by the next
// candidate after t (t+1, t+2, ... over the live ring; within the other group
// for bipartite schedules) whose link is up and which is not already an
// out-neighbour of this iteration; no peer if there is none. Dead nodes are
// never used because only live nodes have positions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/link_mask.hpp"
#include "core/result.hpp"

namespace sgp::core {

/// The graph schedules, as in the reference SGP code.
enum class topology_kind {
  exponential,
  npeer_exponential,
  bipartite_exponential,
  linear,
  bipartite_linear,
  ring,
  complete,
  dynamic_directed_exponential,        ///< the reference's graph type 0
  npeer_dynamic_directed_exponential,  ///< the reference's graph type 5
  dynamic_directed_linear,             ///< the reference's graph type 2
  dynamic_bipartite_linear,            ///< the reference's graph type 3
};

/// Every kind and its config name, in declaration order: the one list of
/// topology names (config/names.hpp validates and prints with it too).
inline constexpr std::array<std::pair<topology_kind, std::string_view>, 11> topology_table{{
    {topology_kind::exponential, "exponential"},
    {topology_kind::npeer_exponential, "npeer-exponential"},
    {topology_kind::bipartite_exponential, "bipartite-exponential"},
    {topology_kind::linear, "linear"},
    {topology_kind::bipartite_linear, "bipartite-linear"},
    {topology_kind::ring, "ring"},
    {topology_kind::complete, "complete"},
    {topology_kind::dynamic_directed_exponential, "dynamic-directed-exponential"},
    {topology_kind::npeer_dynamic_directed_exponential, "npeer-dynamic-directed-exponential"},
    {topology_kind::dynamic_directed_linear, "dynamic-directed-linear"},
    {topology_kind::dynamic_bipartite_linear, "dynamic-bipartite-linear"},
}};

/// Config name of a kind, e.g. "npeer-exponential".
[[nodiscard]] std::string_view topology_name(topology_kind kind);
/// Every config name, in declaration order.
[[nodiscard]] std::vector<std::string> topology_names();
/// Every kind, in declaration order.
[[nodiscard]] std::vector<topology_kind> topology_kinds();
/// Parses a config name; the error lists the valid names.
[[nodiscard]] result<topology_kind> parse_topology(const std::string& name);

/// A directed edge between node ids.
struct edge {
  std::size_t from = 0;
  std::size_t to = 0;
  friend bool operator==(const edge&, const edge&) = default;
};

/// All live nodes, n of them.
[[nodiscard]] std::vector<bool> all_live(std::size_t n);

/// A schedule: the kind plus its parameter. Every method is a pure function
/// of its arguments; `live` has one entry per node id (n = live.size()) and
/// `links` must have size n.
struct graph_schedule {
  topology_kind kind = topology_kind::exponential;
  std::size_t peers_per_iteration = 1;

  /// Out-neighbours (node ids) of live `node` at `iteration`, after repair,
  /// in schedule order, without duplicates. Empty for a dead node.
  [[nodiscard]] std::vector<std::size_t> out_peers(const std::vector<bool>& live,
                                                   const link_mask& links, std::uint64_t iteration,
                                                   std::size_t node) const;

  /// In-neighbours (node ids, increasing) of `node` at `iteration`: the live
  /// nodes whose out_peers contain `node` (whom it waits for).
  [[nodiscard]] std::vector<std::size_t> in_peers(const std::vector<bool>& live,
                                                  const link_mask& links, std::uint64_t iteration,
                                                  std::size_t node) const;

  /// Every edge of `iteration`, grouped by sender in increasing id order.
  [[nodiscard]] std::vector<edge> edges(const std::vector<bool>& live, const link_mask& links,
                                        std::uint64_t iteration) const;

  /// Iterations after which the schedule over `live_count` nodes repeats
  /// (1 for static schedules); a natural window for connectivity checks.
  [[nodiscard]] std::size_t period(std::size_t live_count) const;
};

}  // namespace sgp::core
