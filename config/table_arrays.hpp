// Readers for the arrays of tables: [[cluster.process]] (the processes of a
// multi-process run), [[network.link]] (per-link emulation settings) and
// [[faults]] (scripted console commands). Internal to config/.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "config/toml_reader.hpp"

namespace sgp::config::detail {

/// Reads `[[cluster.process]]` under the [cluster] table `cluster`: names
/// unique and [A-Za-z0-9_.-]+, (host, port) unique, nodes agreeing with devices.
core::status read_processes(const toml_reader& r, const scope& cluster,
                            std::vector<cluster_section::process_entry>& out);

/// Reads `[[network.link]]` under the [network] table `network`; node ids
/// must be below `nodes`.
core::status read_links(const toml_reader& r, const scope& network, int nodes,
                        std::vector<link_section>& out);

/// Reads `[[faults]]` from the document root; node ids must be below `nodes`.
core::status read_faults(const toml_reader& r, const scope& root, int nodes,
                         std::vector<fault_section>& out);

}  // namespace sgp::config::detail
