// Readers for the arrays of tables: [[network.link]] (per-link emulation
// settings) and [[faults]] (scripted console commands). Internal to config/.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "config/toml_reader.hpp"

namespace sgp::config::detail {

/// Reads `[[network.link]]` under the [network] table `network`; node ids
/// must be below `nodes`.
core::status read_links(const toml_reader& r, const scope& network, int nodes,
                        std::vector<link_section>& out);

/// Reads `[[faults]]` from the document root; node ids must be below `nodes`.
core::status read_faults(const toml_reader& r, const scope& root, int nodes,
                         std::vector<fault_section>& out);

}  // namespace sgp::config::detail
