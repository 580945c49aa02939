// node_range / find_process (see cluster.hpp).
#include "config/cluster.hpp"

#include "core/assert.hpp"

namespace sgp::config {

std::size_t process_count(const cluster_section& cluster) {
  return cluster.processes.empty() ? 1 : cluster.processes.size();
}

std::pair<int, int> node_range(const cluster_section& cluster, std::size_t process) {
  SGP_ASSERT(process < process_count(cluster));
  if (cluster.processes.empty()) return {0, cluster.nodes};
  int first = 0;
  for (std::size_t i = 0; i < process; ++i) first += cluster.processes[i].nodes;
  return {first, cluster.processes[process].nodes};
}

std::optional<std::size_t> find_process(const cluster_section& cluster, std::string_view name) {
  for (std::size_t i = 0; i < cluster.processes.size(); ++i) {
    if (cluster.processes[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace sgp::config
