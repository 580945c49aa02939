// Sets the logging facade (core/log.hpp) up from a loaded config.
#pragma once

#include "config/config.hpp"

namespace sgp::apps {

/// The process-wide log threshold from output.log_level (validated by the
/// config loader; an unknown name keeps `info`).
void apply_log_level(const config::config& cfg);

}  // namespace sgp::apps
