// CAF inspect() overloads for the core and net types of the control-plane
// messages: the ones that may cross a process (membership views, commands,
// forgotten edges, link settings, the status snapshot; the actors' own
// reports, link updates and evaluation results are inspected next to their
// definitions in actors/messages.hpp). They carry no buffers and no
// pointers, so CAF can serialize them; each message type is registered
// under a name by add_message_types (actors/message_types.hpp).
//
// The bulk messages (gossip envelopes, shared model and gradient buffers,
// node snapshots with a model, optimizer state) stay in one process: across
// processes the data plane carries them as wire frames (net/wire), never
// CAF. They are allowed as "unsafe" message types in actors/messages.hpp.
//
// The overloads live in the namespaces of their types (found by ADL), here in
// actors/ because core/ and net/ do not depend on CAF.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster_status.hpp"
#include "core/command.hpp"
#include "core/gossip_node.hpp"
#include "core/link_mask.hpp"
#include "net/link_emulator.hpp"

namespace sgp::actors::detail {

/// An optional double as (present, value), restored after loading.
struct optional_double {
  std::optional<double>* target;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, optional_double& x) {
  bool present = x.target->has_value();
  double value = present ? **x.target : 0.0;
  return f(present, value, caf::meta::load_callback([&]() -> caf::error {
             *x.target = present ? std::optional<double>(value) : std::nullopt;
             return caf::none;
           }));
}

}  // namespace sgp::actors::detail

namespace sgp::core {

/// A link mask as its size and n * n up bits (row-major); a load whose bit
/// count does not match the size is refused.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, link_mask& x) {
  auto n = static_cast<std::uint64_t>(x.size());
  std::vector<std::uint8_t> bits;
  bits.reserve(x.size() * x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    for (std::size_t j = 0; j < x.size(); ++j) bits.push_back(x.up(i, j) ? 1 : 0);
  }
  return f(caf::meta::type_name("link_mask"), n, bits,
           caf::meta::load_callback([&]() -> caf::error {
             if (n > (1u << 16) || bits.size() != n * n) {
               return caf::make_error(caf::sec::invalid_argument,
                                      "link_mask: " + std::to_string(bits.size()) + " bits for " +
                                          std::to_string(n) + " nodes");
             }
             link_mask m(static_cast<std::size_t>(n));
             for (std::size_t i = 0; i < n; ++i) {
               for (std::size_t j = 0; j < n; ++j) m.set(i, j, bits[i * n + j] != 0);
             }
             x = std::move(m);
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, membership_view& x) {
  return f(caf::meta::type_name("membership_view"), x.epoch, x.live, x.incarnation, x.links);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forgotten_edges& x) {
  return f(caf::meta::type_name("forgotten_edges"), x.peer, x.sent_weight, x.applied_weight);
}

/// For CAF's stringification of a message (its enums need a to_string).
inline std::string to_string(command_kind k) {
  return command_name(k);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, command& x) {
  return f(caf::meta::type_name("command"), x.kind, x.from, x.to, x.symmetric, x.node, x.factor,
           actors::detail::optional_double{&x.bandwidth_bits_per_second},
           actors::detail::optional_double{&x.latency_seconds},
           actors::detail::optional_double{&x.jitter_seconds},
           actors::detail::optional_double{&x.loss}, x.groups);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_status& x) {
  return f(caf::meta::type_name("node_status"), x.id, x.state, x.incarnation, x.iteration, x.lag,
           x.loss, x.w, x.comm_wait, x.compute_seconds, x.iterations_per_second, x.messages_late,
           x.messages_lost, x.messages_duplicate, x.straggler, x.straggler_reason, x.host,
           x.process, x.device, x.out_peers);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, edge_status& x) {
  return f(caf::meta::type_name("edge_status"), x.from, x.to, x.up, x.in_topology, x.active,
           x.bytes, x.messages, x.bytes_per_second, x.messages_per_second);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_point& x) {
  return f(caf::meta::type_name("history_point"), x.time, x.loss, x.consensus_distance);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_status& x) {
  return f(caf::meta::type_name("cluster_status"), x.algorithm, x.topology, x.time, x.iteration,
           x.total_iterations, x.view_epoch, x.live_nodes, x.connected, x.finishing,
           x.consensus_distance, x.window_seconds, x.nodes, x.edges, x.history);
}

}  // namespace sgp::core

namespace sgp::net {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, link_properties& x) {
  return f(caf::meta::type_name("link_properties"), x.bandwidth_bits_per_second, x.latency_seconds,
           x.jitter_seconds, x.loss);
}

}  // namespace sgp::net
