// Node-level kill and revive in a cluster: the bookkeeping that needs no
// sockets or actors. The process that owns a node is the one authority on
// its life: it kills or revives it (from its own [[faults]] or a console
// command, its own or forwarded), then tells every process with a node
// notice (kill or revive, the node, the incarnation, the iteration). Every
// process applies a notice to its view once: a kill only to the life it
// names, a revive only to a later incarnation. So all processes agree on
// the view, whatever order their own faults and the notices come in.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/gossip_node.hpp"
#include "core/result.hpp"

namespace sgp::core {

/// A change of one node's life, as the owning process made it.
struct node_change {
  enum class what : std::uint8_t { kill = 1, revive = 2 };
  what kind = what::kill;
  std::size_t node = 0;
  std::uint64_t incarnation = 0;  ///< kill: the life that ends; revive: the new one
  std::uint64_t iteration = 0;    ///< the owner's fastest node's, when it changed
  friend bool operator==(const node_change&, const node_change&) = default;
};

/// Notice values (doubles: incarnations and iterations stay below 2^53).
[[nodiscard]] std::vector<double> encode_node_change(const node_change& c);

/// A change for a cluster of `nodes` nodes, or why not.
result<node_change> decode_node_change(std::span<const double> values, std::size_t nodes);

/// algorithm.resend_on_timeout across processes: node `from` (the
/// receiving process's) sends the sums of its edge to `to` again.
struct resend_request {
  std::size_t from = 0;
  std::size_t to = 0;
  friend bool operator==(const resend_request&, const resend_request&) = default;
};

/// Notice values: [from, to].
[[nodiscard]] std::vector<double> encode_resend(const resend_request& r);

/// A request between two of `nodes` nodes, or why not.
result<resend_request> decode_resend(std::span<const double> values, std::size_t nodes);

/// Applies `c` to `view` if it is news: a kill of the live incarnation it
/// names, or a revive to a later incarnation (a live older one included: a
/// kill that did not arrive). The epoch moves on. False: nothing changed.
bool apply_node_change(membership_view& view, const node_change& c);

/// The owner's revive of `node`: the next incarnation, or why not. A
/// revived node starts without mass and needs a push to start; nodes that
/// are done push no more, so a revive within `margin` iterations of the
/// end (`at` of `total`) is refused.
result<node_change> plan_revive(const membership_view& view, std::size_t node, std::uint64_t at,
                                std::uint64_t total, std::uint64_t margin);

/// Iterations before the end within which a node or process is not revived.
inline constexpr std::uint64_t revive_margin = 20;

}  // namespace sgp::core
