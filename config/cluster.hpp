// The processes of a multi-process run ([[cluster.process]]) and the global
// node ids each one hosts: ids are given out in table order, process 0 gets
// [0, n0), process 1 [n0, n0 + n1), and so on.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

#include "config/config.hpp"

namespace sgp::config {

/// The processes a run has: processes.size(), or 1 when none are listed.
std::size_t process_count(const cluster_section& cluster);

/// (first global node id, node count) of process `process`, which must be
/// below process_count(). Without [[cluster.process]] tables the one
/// process holds every node: (0, cluster.nodes).
std::pair<int, int> node_range(const cluster_section& cluster, std::size_t process);

/// The index of the process called `name`, or nullopt.
std::optional<std::size_t> find_process(const cluster_section& cluster, std::string_view name);

}  // namespace sgp::config
