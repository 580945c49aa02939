// The logging facade: one level, one subsystem per line, node and iteration
// named where known. Writes to stderr; SGP_LOG=debug|info|warn|error filters.
#pragma once

#include <string_view>

namespace sgp::core {

enum class log_level { debug = 0, info = 1, warn = 2, error = 3 };

/// Current threshold (read once from the SGP_LOG environment variable).
log_level log_threshold();
void set_log_threshold(log_level level);

/// Writes "[level] subsystem: message" (node < 0 / iteration < 0: omitted).
void log(log_level level, std::string_view subsystem, std::string_view message, int node = -1,
         long long iteration = -1);

}  // namespace sgp::core
