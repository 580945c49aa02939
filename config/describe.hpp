// The resolved configuration as TOML text (`sgp train --dry-run`): every key
// with the value the run will use, defaults and overrides applied.
#pragma once

#include <string>

#include "config/config.hpp"

namespace sgp::config {

/// `cfg` as a TOML document that load_string reads back to the same config.
/// Left out: the secrets (cluster.secret, output.http_secret), output.http and
/// run.resume_from (not TOML keys).
std::string to_toml(const config& cfg);

}  // namespace sgp::config
